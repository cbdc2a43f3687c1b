// WhatsAppGateway: a channel gateway on the generated Java client of Dumas.
// It submits a complaint that came in over WhatsApp, then delivers what Dumas
// owes the WhatsApp complainants (the receipt first) and acknowledges each
// delivery.
//
//   DUMAS_ADDRESS=127.0.0.1:50051 DUMAS_TOKEN_FILE=.local/tokens/gateway-whatsapp \
//     java -cp build/clients/java/dumas-sdk.jar:build/clients/java/examples:$(cat build/clients/java/classpath) \
//     WhatsAppGateway
//
// Settings come from the environment, never from the command line.
// "Delivery" prints the notification's name and kind; a real gateway sends
// its text to its reply address. The sample complainant is fictional. Exit
// status 0 when the receipt was delivered, 1 on a failed call, 2 on bad
// settings.
import dumas.v1.ComplaintOuterClass.Channel;
import dumas.v1.ComplaintOuterClass.Complainant;
import dumas.v1.ComplaintOuterClass.Complaint;
import dumas.v1.ComplaintOuterClass.ComplaintSubject;
import dumas.v1.ComplaintServiceGrpc;
import dumas.v1.ComplaintServiceOuterClass.SubmitComplaintRequest;
import dumas.v1.ComplaintServiceOuterClass.SubmitComplaintResponse;
import dumas.v1.NotificationServiceGrpc;
import dumas.v1.NotificationServiceOuterClass.AcknowledgeNotificationsRequest;
import dumas.v1.NotificationServiceOuterClass.FetchNotificationsRequest;
import dumas.v1.NotificationServiceOuterClass.FetchNotificationsResponse;
import dumas.v1.NotificationServiceOuterClass.Notification;
import dumas.v1.NotificationServiceOuterClass.NotificationKind;
import com.google.protobuf.Timestamp;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

public final class WhatsAppGateway {
  public static void main(String[] args) throws Exception {
    System.exit(run());
  }

  static int run() throws InterruptedException {
    String address = System.getenv().getOrDefault("DUMAS_ADDRESS", "127.0.0.1:50051");
    String token;
    try {
      token = new String(Files.readAllBytes(Paths.get(System.getenv("DUMAS_TOKEN_FILE"))),
          StandardCharsets.UTF_8).trim();
    } catch (Exception e) {
      System.err.println("settings: cannot read DUMAS_TOKEN_FILE");
      return 2;
    }
    // Plaintext on loopback; with TLS use useTransportSecurity().
    ManagedChannel channel = ManagedChannelBuilder.forTarget(address).usePlaintext().build();
    Metadata headers = new Metadata();
    headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER),
        "Bearer " + token);
    try {
      ComplaintServiceGrpc.ComplaintServiceBlockingStub complaints =
          ComplaintServiceGrpc.newBlockingStub(channel)
              .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
      NotificationServiceGrpc.NotificationServiceBlockingStub notifications =
          NotificationServiceGrpc.newBlockingStub(channel)
              .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));

      long incident = System.currentTimeMillis() / 1000 - 48 * 3600;
      SubmitComplaintRequest request = SubmitComplaintRequest.newBuilder()
          .setRequestId(UUID.randomUUID().toString())
          .setComplaint(Complaint.newBuilder()
              .setDescription("Saat razia di simpang Jl. Diponegoro, petugas meminta uang agar "
                  + "SIM saya tidak ditahan, tanpa surat tilang.")
              .setIncidentTime(Timestamp.newBuilder().setSeconds(incident))
              .setIncidentLocation("Simpang Jl. Diponegoro - Jl. Gajah Mada, Palu Barat")
              .setCategory("categories/penyalahgunaan-wewenang")
              .setChannel(Channel.CHANNEL_WHATSAPP)
              .setReplyAddress("+6281200000001")
              .setSubject(ComplaintSubject.newBuilder().setUnit("units/sat-lantas"))
              .setComplainant(Complainant.newBuilder().setFullName("Contoh Pengadu")
                  .setNik("7271015208900001").setPhone("+6281200000001")))
          .build();
      SubmitComplaintResponse submitted;
      try {
        submitted = complaints.withDeadlineAfter(10, TimeUnit.SECONDS).submitComplaint(request);
      } catch (StatusRuntimeException e) {
        System.err.println("SubmitComplaint failed: " + e.getStatus().getCode());
        return 1;
      }
      String name = submitted.getComplaint().getName();
      System.out.println("submitted " + name);

      long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (System.nanoTime() < giveUp) {
        FetchNotificationsResponse leased = notifications.withDeadlineAfter(10, TimeUnit.SECONDS)
            .fetchNotifications(FetchNotificationsRequest.newBuilder().setMaxNotifications(20).build());
        if (leased.getNotificationsCount() == 0) {
          Thread.sleep(200);
          continue;
        }
        boolean receipt = false;
        AcknowledgeNotificationsRequest.Builder ack = AcknowledgeNotificationsRequest.newBuilder();
        for (Notification n : leased.getNotificationsList()) {
          // Here a real gateway sends n.getText() to n.getReplyAddress().
          System.out.println("delivered " + n.getName() + " " + n.getKind() + " for "
              + n.getComplaint());
          ack.addNames(n.getName());
          receipt |= n.getComplaint().equals(name)
              && n.getKind() == NotificationKind.NOTIFICATION_KIND_RECEIPT;
        }
        notifications.withDeadlineAfter(10, TimeUnit.SECONDS).acknowledgeNotifications(ack.build());
        if (receipt) {
          return 0;
        }
      }
      System.err.println("the receipt of " + name + " did not come within 30 s");
      return 1;
    } catch (StatusRuntimeException e) {
      System.err.println("call failed: " + e.getStatus().getCode());
      return 1;
    } finally {
      channel.shutdownNow();
    }
  }
}
