#!/usr/bin/python3
"""A case tool on the Dumas Python SDK: moves a complaint through its lifecycle.

RECEIVED -> VERIFIED -> ASSIGNED (the routing rule picks the unit) ->
UNDER_INVESTIGATION -> CONCLUDED -> ANSWERED -> CLOSED, each change naming the
etag last read.

    DUMAS_TOKEN_FILE=supervisor.token PYTHONPATH=build/clients/python \\
      /usr/bin/python3 case_tool.py complaints/K7QM-4R9X-2HTZ

Needs a SUPERVISOR token. Exit status 0 when closed, 1 on a failed call, 2 on
bad usage.
"""

import sys

import grpc

import dumas_client
from dumas.v1 import complaint_pb2, complaint_service_pb2 as svc


def main(argv):
    if len(argv) != 2:
        print("usage: case_tool.py complaints/REFERENCE", file=sys.stderr)
        return 2
    client = dumas_client.connect_from_environment()
    c = client.complaints
    steps = [
        ("VerifyComplaint", svc.VerifyComplaintRequest(
            internal_note="Dugaan pungli oleh petugas lalu lintas: ranah pengawasan.")),
        ("AssignComplaint", svc.AssignComplaintRequest(internal_note="Disposisi sesuai tupoksi.")),
        ("StartInvestigation", svc.StartInvestigationRequest()),
        ("ConcludeComplaint", svc.ConcludeComplaintRequest(
            outcome=complaint_pb2.OUTCOME_SUBSTANTIATED,
            findings="Klarifikasi saksi dan rekaman pos membenarkan pengaduan.")),
        ("AnswerComplaint", svc.AnswerComplaintRequest(
            answer="Pengaduan Anda terbukti; petugas yang bersangkutan diproses disiplin.")),
        ("CloseComplaint", svc.CloseComplaintRequest()),
    ]
    try:
        complaint = client.call(c.GetComplaint, svc.GetComplaintRequest(name=argv[1])).complaint
        for method, request in steps:
            request.name, request.etag = complaint.name, complaint.etag
            after = client.call(getattr(c, method), request).complaint
            state = complaint_pb2.ComplaintState.Name
            print(f"{method:<20} "
                  f"{state(complaint.state)} -> {state(after.state)}")
            complaint = after
    except grpc.RpcError as error:
        print(f"failed: {error.code().name} {error.details()}", file=sys.stderr)
        return 1
    print(f"handled by {complaint.handling_unit}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
