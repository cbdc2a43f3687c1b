// CaseTool: moves a complaint through its lifecycle, as an internal case tool
// of Polres Palu would, on the generated Java client of Dumas: RECEIVED ->
// VERIFIED -> ASSIGNED (the routing rule picks the unit) ->
// UNDER_INVESTIGATION -> CONCLUDED -> ANSWERED -> CLOSED.
//
//   DUMAS_ADDRESS=127.0.0.1:50051 DUMAS_TOKEN_FILE=.local/tokens/supervisor \
//     java -cp build/clients/java/dumas-sdk.jar:build/clients/java/examples:$(cat build/clients/java/classpath) \
//     CaseTool complaints/K7QM-4R9X-2HTZ
//
// Each state change names the etag of the complaint as last read (a stale one
// fails with ABORTED: read again, decide again) and carries a request_id of
// its own, the same on every attempt, so that a retry after a lost answer
// changes nothing twice. Settings come from the environment, never from the
// command line. Needs a SUPERVISOR token. Prints each transition. Exit status
// 0 when closed, 1 on a failed call, 2 on bad usage or settings.
import dumas.v1.ComplaintOuterClass.Complaint;
import dumas.v1.ComplaintOuterClass.Outcome;
import dumas.v1.ComplaintServiceGrpc;
import dumas.v1.ComplaintServiceGrpc.ComplaintServiceBlockingStub;
import dumas.v1.ComplaintServiceOuterClass.AnswerComplaintRequest;
import dumas.v1.ComplaintServiceOuterClass.AssignComplaintRequest;
import dumas.v1.ComplaintServiceOuterClass.CloseComplaintRequest;
import dumas.v1.ComplaintServiceOuterClass.ConcludeComplaintRequest;
import dumas.v1.ComplaintServiceOuterClass.GetComplaintRequest;
import dumas.v1.ComplaintServiceOuterClass.StartInvestigationRequest;
import dumas.v1.ComplaintServiceOuterClass.VerifyComplaintRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

public final class CaseTool {
  /** One state change, sent on the complaint as last read under its own request_id. */
  interface Change {
    Complaint send(ComplaintServiceBlockingStub stub, Complaint c, String requestId);
  }

  record Step(String method, Change change) {}

  static final List<Step> STEPS = List.of(
      new Step("VerifyComplaint", (stub, c, id) -> stub.verifyComplaint(
          VerifyComplaintRequest.newBuilder().setName(c.getName()).setEtag(c.getEtag())
              .setRequestId(id)
              .setInternalNote("Dugaan pungli oleh petugas lalu lintas: ranah pengawasan.")
              .build()).getComplaint()),
      // No handling unit: the routing rule of the category picks it.
      new Step("AssignComplaint", (stub, c, id) -> stub.assignComplaint(
          AssignComplaintRequest.newBuilder().setName(c.getName()).setEtag(c.getEtag())
              .setRequestId(id).setInternalNote("Disposisi sesuai tupoksi.").build())
          .getComplaint()),
      new Step("StartInvestigation", (stub, c, id) -> stub.startInvestigation(
          StartInvestigationRequest.newBuilder().setName(c.getName()).setEtag(c.getEtag())
              .setRequestId(id).build()).getComplaint()),
      new Step("ConcludeComplaint", (stub, c, id) -> stub.concludeComplaint(
          ConcludeComplaintRequest.newBuilder().setName(c.getName()).setEtag(c.getEtag())
              .setRequestId(id).setOutcome(Outcome.OUTCOME_SUBSTANTIATED)
              .setFindings("Klarifikasi saksi dan rekaman pos membenarkan pengaduan.").build())
          .getComplaint()),
      new Step("AnswerComplaint", (stub, c, id) -> stub.answerComplaint(
          AnswerComplaintRequest.newBuilder().setName(c.getName()).setEtag(c.getEtag())
              .setRequestId(id)
              .setAnswer("Pengaduan Anda terbukti; petugas yang bersangkutan diproses disiplin.")
              .build()).getComplaint()),
      new Step("CloseComplaint", (stub, c, id) -> stub.closeComplaint(
          CloseComplaintRequest.newBuilder().setName(c.getName()).setEtag(c.getEtag())
              .setRequestId(id).build()).getComplaint()));

  public static void main(String[] args) throws Exception {
    System.exit(run(args));
  }

  /** Runs a call, retrying while the server is unavailable (safe: each has a request_id). */
  static <T> T withRetries(Supplier<T> call) throws InterruptedException {
    for (int attempt = 0; ; attempt++) {
      try {
        return call.get();
      } catch (StatusRuntimeException e) {
        if (attempt == 3 || e.getStatus().getCode() != Status.Code.UNAVAILABLE) throw e;
        Thread.sleep(200L << attempt);
      }
    }
  }

  static int run(String[] args) throws InterruptedException {
    if (args.length != 1 || !args[0].startsWith("complaints/")) {
      System.err.println("usage: CaseTool complaints/REFERENCE");
      return 2;
    }
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
    String method = "GetComplaint";
    try {
      ComplaintServiceBlockingStub complaints = ComplaintServiceGrpc.newBlockingStub(channel)
          .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
      Complaint complaint = withRetries(() -> complaints.withDeadlineAfter(10, TimeUnit.SECONDS)
          .getComplaint(GetComplaintRequest.newBuilder().setName(args[0]).build())
          .getComplaint());
      for (Step step : STEPS) {
        method = step.method();
        String requestId = UUID.randomUUID().toString();
        Complaint before = complaint;
        Complaint after = withRetries(() -> step.change().send(
            complaints.withDeadlineAfter(10, TimeUnit.SECONDS), before, requestId));
        System.out.printf("%-20s %s -> %s%n", method, before.getState(), after.getState());
        complaint = after;
      }
      System.out.println("handled by " + complaint.getHandlingUnit());
      return 0;
    } catch (StatusRuntimeException e) {
      System.err.println(method + " failed: " + e.getStatus().getCode());
      return 1;
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
