// KompolnasFeed: a Kompolnas consumer of the change feed on the generated Java
// client of Dumas. It reads the last revision it processed from its state
// file, pages IntegrationService.ListChanges from there, prints each change in
// commit order, and stores the new last revision after each page, so that a
// run that stops anywhere resumes exactly after what it stored: every change
// is processed once.
//
//   DUMAS_ADDRESS=127.0.0.1:50051 DUMAS_TOKEN_FILE=.local/tokens/oversight \
//     java -cp build/clients/java/dumas-sdk.jar:build/clients/java/examples:$(cat build/clients/java/classpath) \
//     KompolnasFeed --state=feed.state [--log-key-file=log.vkey]
//
// With --log-key-file (the log's verifier key, trusted out of band) it first
// fetches the latest checkpoint of the transparency log and checks its
// Ed25519 signature with java.security (Java 15 or later). A real consumer
// keeps its state in the same transaction as what it made of the changes; a
// file moved into place stands in for that here. Settings come from the
// environment, never from the command line. Needs an OVERSIGHT token. Prints
// "resume --after=N" last. Exit status 0; 1 on a failed call or a gap in the
// feed; 2 on bad usage, settings or state; 3 when the checkpoint does not
// verify.
import dumas.v1.IntegrationServiceGrpc;
import dumas.v1.IntegrationServiceGrpc.IntegrationServiceBlockingStub;
import dumas.v1.IntegrationServiceOuterClass.Change;
import dumas.v1.IntegrationServiceOuterClass.GetCheckpointRequest;
import dumas.v1.IntegrationServiceOuterClass.ListChangesRequest;
import dumas.v1.IntegrationServiceOuterClass.ListChangesResponse;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

public final class KompolnasFeed {
  /** The checkpoint does not verify with the log key. */
  static final class NotVerified extends Exception {
    NotVerified(String why) {
      super(why);
    }
  }

  // The DER prefix of an X.509 SubjectPublicKeyInfo of an Ed25519 key.
  static final byte[] ED25519_SPKI_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");

  /**
   * Checks the log's signature on a checkpoint, a signed note (c2sp.org/signed-note): the body,
   * a blank line, then signature lines "— <name> <base64(key id || signature)>". The key is
   * "<name>+<key id, 8 hex digits>+<base64(0x01 || Ed25519 public key)>". Returns the tree size
   * the checkpoint signs.
   */
  static long verifyCheckpoint(String note, String vkey)
      throws NotVerified, GeneralSecurityException {
    // The name and key id hold no "+"; the base64 may.
    String[] parts = vkey.trim().split("\\+", 3);
    if (parts.length != 3) throw new NotVerified("the log key is not name+keyid+base64");
    String name = parts[0];
    byte[] key;
    try {
      key = Base64.getDecoder().decode(parts[2]);
    } catch (IllegalArgumentException e) {
      throw new NotVerified("the log key is not base64");
    }
    if (key.length != 33 || key[0] != 0x01) {
      throw new NotVerified("the log key is not an Ed25519 key (type 0x01)");
    }
    // The key id: SHA-256(name || '\n' || type || public key)[:4].
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    sha.update((name + "\n").getBytes(StandardCharsets.UTF_8));
    byte[] id = Arrays.copyOf(sha.digest(key), 4);
    if (!HexFormat.of().formatHex(id).equals(parts[1])) {
      throw new NotVerified("the log key's id does not match its key");
    }
    byte[] spki = Arrays.copyOf(ED25519_SPKI_PREFIX, ED25519_SPKI_PREFIX.length + 32);
    System.arraycopy(key, 1, spki, ED25519_SPKI_PREFIX.length, 32);
    PublicKey publicKey = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));

    int split = note.indexOf("\n\n");
    if (split < 0) throw new NotVerified("the checkpoint is not a signed note");
    String body = note.substring(0, split + 1);
    boolean verified = false;
    for (String line : note.substring(split + 2).split("\n")) {
      String[] fields = line.startsWith("\u2014 ") ? line.substring(2).split(" ") : new String[0];
      if (fields.length != 2 || !fields[0].equals(name)) continue;
      byte[] sig;
      try {
        sig = Base64.getDecoder().decode(fields[1]);
      } catch (IllegalArgumentException e) {
        continue;
      }
      if (sig.length != 68 || !Arrays.equals(Arrays.copyOf(sig, 4), id)) continue;
      Signature ed25519 = Signature.getInstance("Ed25519");
      ed25519.initVerify(publicKey);
      ed25519.update(body.getBytes(StandardCharsets.UTF_8));
      if (ed25519.verify(Arrays.copyOfRange(sig, 4, 68))) verified = true;
    }
    if (!verified) throw new NotVerified("no signature of the log key verifies");
    // The body: origin, tree size, base64 root hash, extension lines.
    String[] lines = body.split("\n");
    if (lines.length < 3 || !lines[0].equals(name)) {
      throw new NotVerified("the checkpoint names another origin than the log key");
    }
    try {
      return Long.parseLong(lines[1]);
    } catch (NumberFormatException e) {
      throw new NotVerified("the checkpoint's tree size is not a number");
    }
  }

  /** Stores the last revision processed: written aside, then moved into place. */
  static void writeState(Path path, long revision) throws java.io.IOException {
    Path tmp = Paths.get(path + ".tmp");
    Files.write(tmp, (revision + "\n").getBytes(StandardCharsets.UTF_8));
    Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  public static void main(String[] args) throws Exception {
    System.exit(run(args));
  }

  static int run(String[] args) throws InterruptedException {
    String state = null;
    String keyFile = null;
    for (String arg : args) {
      if (arg.startsWith("--state=")) {
        state = arg.substring(8);
      } else if (arg.startsWith("--log-key-file=")) {
        keyFile = arg.substring(15);
      } else {
        state = null;
        break;
      }
    }
    if (state == null || state.isEmpty()) {
      System.err.println("usage: KompolnasFeed --state=FILE [--log-key-file=FILE]");
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
    Path statePath = Paths.get(state);
    long last;
    try {
      last = Long.parseLong(new String(Files.readAllBytes(statePath), StandardCharsets.UTF_8).trim());
    } catch (NoSuchFileException e) {
      last = 0;
    } catch (Exception e) {
      System.err.println("state: " + state + " does not hold a revision");
      return 2;
    }
    String vkey = null;
    if (keyFile != null) {
      try {
        vkey = new String(Files.readAllBytes(Paths.get(keyFile)), StandardCharsets.UTF_8);
      } catch (Exception e) {
        System.err.println("cannot read " + keyFile);
        return 2;
      }
    }
    // Plaintext on loopback; with TLS use useTransportSecurity().
    ManagedChannel channel = ManagedChannelBuilder.forTarget(address).usePlaintext().build();
    Metadata headers = new Metadata();
    headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER),
        "Bearer " + token);
    String method = "GetCheckpoint";
    try {
      IntegrationServiceBlockingStub feed = IntegrationServiceGrpc.newBlockingStub(channel)
          .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
      if (vkey != null) {
        String note = feed.withDeadlineAfter(10, TimeUnit.SECONDS)
            .getCheckpoint(GetCheckpointRequest.getDefaultInstance()).getCheckpoint();
        try {
          System.out.println("checkpoint verified: tree size " + verifyCheckpoint(note, vkey));
        } catch (NotVerified | GeneralSecurityException e) {
          System.err.println("the checkpoint does not verify: " + e.getMessage());
          return 3;
        }
      }
      method = "ListChanges";
      while (true) {
        ListChangesResponse page = feed.withDeadlineAfter(30, TimeUnit.SECONDS).listChanges(
            ListChangesRequest.newBuilder().setAfterRevision(last).setPageSize(500).build());
        for (Change change : page.getChangesList()) {
          if (change.getRevision() != last + 1) {
            System.err.printf("gap: revision %d after %d%n", change.getRevision(), last);
            return 1;
          }
          last = change.getRevision();
          if (change.getComplaint().isEmpty()) {
            System.out.printf("%d %s %s%n", last, change.getRecord().getName(),
                change.getRecord().getKind());
          } else {
            System.out.printf("%d %s %s %s -> %s%n", last, change.getComplaint(),
                change.getEvent().getType(), change.getEvent().getFromState(),
                change.getEvent().getToState());
          }
        }
        if (page.getChangesCount() > 0) {
          try {
            writeState(statePath, last);
          } catch (java.io.IOException e) {
            System.err.println("state: cannot write " + state);
            return 2;
          }
        }
        if (page.getChangesCount() == 0 || last >= page.getHeadRevision()) break;
      }
      System.out.println("resume --after=" + last);
      return 0;
    } catch (StatusRuntimeException e) {
      System.err.println(method + " failed: " + e.getStatus().getCode());
      return 1;
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
