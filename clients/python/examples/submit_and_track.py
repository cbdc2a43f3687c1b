#!/usr/bin/python3
"""Submits a complaint as a channel gateway would, then tracks it as the
complainant would, with the generated Python client.

    PYTHONPATH=build/clients/python /usr/bin/python3 \\
        clients/python/examples/submit_and_track.py \\
        [--target=127.0.0.1:50051] [--token-file=.local/gateway-token]

The token file is the GATEWAY token that tools/run writes.
"""

import argparse
import datetime
import sys

import grpc

import dumas_client
from dumas.v1 import complaint_pb2, complaint_service_pb2 as svc


def example_complaint():
    """A complaint about a traffic stop in Palu, received on WhatsApp."""
    complaint = complaint_pb2.Complaint(
        description=("Saat razia di simpang Jl. Diponegoro, petugas meminta uang "
                     "Rp200.000 agar SIM saya tidak ditahan, tanpa surat tilang."),
        incident_location="Simpang Jl. Diponegoro - Jl. Gajah Mada, Palu Barat",
        category="categories/penyalahgunaan-wewenang",
        channel=complaint_pb2.CHANNEL_WHATSAPP,
        reply_address="0812-4567-8901",
        subject=complaint_pb2.ComplaintSubject(
            unit="units/sat-lantas", officer_name="Bripka S.",
            officer_description="Berseragam Lantas, bertugas pagi di pos simpang"),
        complainant=complaint_pb2.Complainant(
            full_name="Siti Rahmawati",
            # 72 Sulawesi Tengah, 71 Kota Palu, 01; born 12-08-1990, a woman
            # (12 + 40 = 52); sequence 0001.
            nik="7271015208900001",
            phone="0812-4567-8901",
            email="siti.rahmawati@example.co.id",
            address="Jl. Sam Ratulangi No. 17, Besusu Barat, Palu Timur"),
    )
    complaint.incident_time.FromDatetime(
        datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=1))
    return complaint


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target", default="127.0.0.1:50051")
    parser.add_argument("--token-file", default=".local/gateway-token")
    args = parser.parse_args()
    with open(args.token_file, encoding="ascii") as f:
        token = f.read().strip()

    with dumas_client.connect(args.target, token=token) as client:
        request = svc.SubmitComplaintRequest(
            request_id=dumas_client.new_request_id(), complaint=example_complaint())
        try:
            # A retry after a timeout or UNAVAILABLE must reuse request_id.
            submitted = client.complaints.SubmitComplaint(request, timeout=10)
        except grpc.RpcError as error:
            print(f"SubmitComplaint: {error.code().name}: {error.details()}", file=sys.stderr)
            for violation in dumas_client.field_violations(error):
                print(f"  {violation.field}: {violation.description}", file=sys.stderr)
            return 1
        print(f"reference number: {submitted.reference_number}")
        print(f"tracking code:    {submitted.tracking_code}")

        tracked = client.complaints.TrackComplaint(
            svc.TrackComplaintRequest(reference_number=submitted.reference_number,
                                      tracking_code=submitted.tracking_code),
            timeout=10).complaint
        due = tracked.sp3d_due_date
        print(f"state:            {complaint_pb2.ComplaintState.Name(tracked.state)}")
        print(f"SP3D due:         {due.year:04d}-{due.month:02d}-{due.day:02d}")
        for event in tracked.timeline:
            print(f"  {event.event_time.ToJsonString()} "
                  f"{complaint_pb2.ComplaintState.Name(event.state)}: {event.message}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
