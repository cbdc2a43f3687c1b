#!/usr/bin/python3
"""A WhatsApp channel gateway on the Dumas Python SDK.

Submits a complaint that came in over WhatsApp, then delivers what Dumas owes
the WhatsApp complainants (the receipt first) and acknowledges each delivery.

    DUMAS_ADDRESS=127.0.0.1:50051 DUMAS_TOKEN_FILE=.local/tokens/gateway-whatsapp \\
      PYTHONPATH=build/clients/python /usr/bin/python3 whatsapp_gateway.py

"Delivery" prints the notification's name and kind; a real gateway sends its
text to its reply address, then acknowledges. The sample complainant is
fictional. Exit status 0 when the receipt was delivered, 1 on a failed call.
"""

import datetime
import sys
import time

import grpc

import dumas_client
from dumas.v1 import complaint_pb2, complaint_service_pb2, notification_service_pb2


def sample_complaint():
    incident = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=2)
    complaint = complaint_pb2.Complaint(
        description=("Saat razia di simpang Jl. Diponegoro, petugas meminta uang agar SIM "
                     "saya tidak ditahan, tanpa surat tilang."),
        incident_location="Simpang Jl. Diponegoro - Jl. Gajah Mada, Palu Barat",
        category="categories/penyalahgunaan-wewenang",
        channel=complaint_pb2.CHANNEL_WHATSAPP,
        reply_address="+6281200000001",
        subject=complaint_pb2.ComplaintSubject(unit="units/sat-lantas"),
        complainant=complaint_pb2.Complainant(
            full_name="Contoh Pengadu", nik="7271015208900001", phone="+6281200000001"))
    complaint.incident_time.FromDatetime(incident.replace(tzinfo=None))
    return complaint_service_pb2.SubmitComplaintRequest(complaint=complaint)


def main():
    client = dumas_client.connect_from_environment()
    try:
        # call() fills the request_id and keeps it for its retries: a retry
        # after a lost answer returns the same reference number.
        submitted = client.call(client.complaints.SubmitComplaint, sample_complaint())
    except grpc.RpcError as error:
        print(f"SubmitComplaint failed: {error.code().name}", file=sys.stderr)
        for v in dumas_client.field_violations(error):
            print(f"  field {v.field}: {v.description}", file=sys.stderr)
        return 1
    name = submitted.complaint.name
    print(f"submitted {name}")

    give_up = time.monotonic() + 30
    while time.monotonic() < give_up:
        leased = client.call(client.notifications.FetchNotifications,
                             notification_service_pb2.FetchNotificationsRequest(
                                 max_notifications=20))
        if not leased.notifications:
            time.sleep(0.2)
            continue
        receipt = False
        for n in leased.notifications:
            # Here a real gateway sends n.text to n.reply_address.
            kind = notification_service_pb2.NotificationKind.Name(n.kind)
            print(f"delivered {n.name} {kind} for {n.complaint}")
            receipt |= (n.complaint == name
                        and n.kind == notification_service_pb2.NOTIFICATION_KIND_RECEIPT)
        client.call(client.notifications.AcknowledgeNotifications,
                    notification_service_pb2.AcknowledgeNotificationsRequest(
                        names=[n.name for n in leased.notifications]))
        if receipt:
            return 0
    print(f"the receipt of {name} did not come within 30 s", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
