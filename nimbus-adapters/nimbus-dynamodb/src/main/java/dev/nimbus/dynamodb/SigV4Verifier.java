package dev.nimbus.dynamodb;

import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Strict SigV4 for the DynamoDB endpoint. Parses the {@code Authorization} header, finds the
 * key, checks the credential scope (service {@code dynamodb}, date = the request date), the
 * ±15 minute window and {@code x-amz-content-sha256}; then has the AWS SDK's own signer sign
 * the received request (only the headers the client signed, at the client's timestamp) and
 * compares the signatures in constant time.
 */
public final class SigV4Verifier {
    public static final String ALGORITHM = "AWS4-HMAC-SHA256";
    public static final String SERVICE = "dynamodb";
    public static final Duration CLOCK_SKEW_MAX = Duration.ofMinutes(15);
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final String BAD_SIGNATURE = "The request signature we calculated does not match the signature you "
            + "provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

    private final AccessKeys keys;
    private final Clock clock;
    private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();

    public SigV4Verifier(AccessKeys keys, Clock clock) {
        this.keys = keys;
        this.clock = clock;
    }

    /** Who signed: the key and the region of the scope. */
    public record Verified(AccessKeys.AccessKey key, String region) {
    }

    /**
     * @param headers request headers by lower-case name (first value)
     * @throws DynamoDbException the DynamoDB auth error when the request is not properly signed
     */
    public Verified verify(String method, String path, Map<String, String> headers, byte[] body) {
        String authorization = headers.get("authorization");
        if (authorization == null) {
            throw DynamoDbException.missingAuthenticationToken();
        }
        Parsed p = parse(authorization);
        String[] scope = p.credential.split("/", -1);
        if (scope.length != 5) {
            throw DynamoDbException.incompleteSignature("Credential should be scoped to a valid region. ");
        }
        AccessKeys.AccessKey key = keys.find(scope[0]).orElseThrow(DynamoDbException::unrecognizedClient);
        String date = headers.get("x-amz-date");
        if (date == null) {
            throw DynamoDbException.incompleteSignature("Authorization header requires existence of either a 'X-Amz-Date' "
                    + "or a 'Date' header. Authorization=" + authorization);
        }
        Instant at;
        try {
            at = Instant.from(AMZ_DATE.parse(date));
        } catch (DateTimeParseException e) {
            throw DynamoDbException.incompleteSignature("Date must be in ISO-8601 'basic format'. Got '" + date + "'.");
        }
        if (!scope[4].equals("aws4_request")) {
            throw DynamoDbException.invalidSignature("Credential should be scoped with a valid terminator: 'aws4_request', not '"
                    + scope[4] + "'. ");
        }
        if (!scope[3].equals(SERVICE)) {
            throw DynamoDbException.invalidSignature("Credential should be scoped to correct service: '" + SERVICE + "'. ");
        }
        if (!scope[1].equals(date.substring(0, Math.min(8, date.length())))) {
            throw DynamoDbException.invalidSignature("Date in Credential scope does not match YYYYMMDD from ISO-8601 version "
                    + "of date from HTTP: '" + scope[1] + "' != '" + date.substring(0, 8) + "', from '" + date + "'.");
        }
        Instant now = clock.instant();
        if (Duration.between(at, now).abs().compareTo(CLOCK_SKEW_MAX) > 0) {
            throw DynamoDbException.invalidSignature("Signature expired: " + date + " is now earlier than "
                    + AMZ_DATE.format(now.minus(CLOCK_SKEW_MAX)) + " (" + AMZ_DATE.format(now) + " - 15 min.)");
        }
        String contentSha = headers.get("x-amz-content-sha256");
        if (contentSha != null && !contentSha.equalsIgnoreCase(sha256Hex(body))) {
            throw DynamoDbException.invalidSignature("The provided 'x-amz-content-sha256' header does not match what was computed.");
        }
        if (!p.signedHeaders.contains("host")) {
            throw DynamoDbException.invalidSignature("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
        }
        String expected = expectedSignature(method, path, headers, body, p.signedHeaders, key, scope[2], at);
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), p.signature.getBytes(StandardCharsets.US_ASCII))) {
            throw DynamoDbException.invalidSignature(BAD_SIGNATURE);
        }
        return new Verified(key, scope[2]);
    }

    private String expectedSignature(String method, String path, Map<String, String> headers, byte[] body,
                                     List<String> signedHeaders, AccessKeys.AccessKey key, String region, Instant at) {
        String host = headers.getOrDefault("host", "localhost");
        String hostName = host;
        int port = -1;
        int colon = host.lastIndexOf(':');
        if (colon > 0 && colon > host.lastIndexOf(']')) {
            hostName = host.substring(0, colon);
            try {
                port = Integer.parseInt(host.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw DynamoDbException.invalidSignature(BAD_SIGNATURE);
            }
        }
        SdkHttpFullRequest.Builder request = SdkHttpFullRequest.builder()
                .method(SdkHttpMethod.fromValue(method))
                .protocol("http")
                .host(hostName.startsWith("[") ? hostName.substring(1, hostName.length() - 1) : hostName)
                .encodedPath(path);
        if (port > 0) {
            request.port(port);
        }
        Map<String, String> signed = new LinkedHashMap<>();
        for (String h : signedHeaders) {
            String v = headers.get(h);
            if (v == null) {
                throw DynamoDbException.invalidSignature(BAD_SIGNATURE);
            }
            signed.put(h, v);
            request.putHeader(h, v);
        }
        try {
            SignedRequest result = signer.sign(r -> r
                    .request(request.build())
                    .payload(() -> new java.io.ByteArrayInputStream(body))
                    .identity(AwsCredentialsIdentity.create(key.accessKeyId(), key.secret()))
                    .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                    .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, SERVICE)
                    .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(at, ZoneOffset.UTC)));
            Optional<String> auth = result.request().firstMatchingHeader("Authorization");
            return auth.map(a -> parse(a).signature).orElse("");
        } catch (RuntimeException e) {
            throw DynamoDbException.invalidSignature(BAD_SIGNATURE);
        }
    }

    private record Parsed(String credential, List<String> signedHeaders, String signature) {
    }

    private static Parsed parse(String authorization) {
        if (!authorization.startsWith(ALGORITHM + " ")) {
            throw DynamoDbException.incompleteSignature("Authorization header requires 'Credential' parameter. "
                    + "Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' "
                    + "parameter. Authorization=" + authorization);
        }
        String credential = null;
        String signedHeaders = null;
        String signature = null;
        for (String part : authorization.substring(ALGORITHM.length() + 1).split(",")) {
            String s = part.strip();
            int eq = s.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String name = s.substring(0, eq);
            String value = s.substring(eq + 1);
            switch (name) {
                case "Credential" -> credential = value;
                case "SignedHeaders" -> signedHeaders = value;
                case "Signature" -> signature = value;
                default -> { }
            }
        }
        StringBuilder missing = new StringBuilder();
        if (credential == null) {
            missing.append("Authorization header requires 'Credential' parameter. ");
        }
        if (signature == null) {
            missing.append("Authorization header requires 'Signature' parameter. ");
        }
        if (signedHeaders == null) {
            missing.append("Authorization header requires 'SignedHeaders' parameter. ");
        }
        if (!missing.isEmpty()) {
            throw DynamoDbException.incompleteSignature(missing + "Authorization=" + authorization);
        }
        return new Parsed(credential, List.of(signedHeaders.split(";")), signature);
    }

    static String sha256Hex(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
