package dev.nimbus.dynamodb;

import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Strict SigV4 for the DynamoDB endpoint. Parses the {@code Authorization} header, finds the
 * key, checks the credential scope (service {@code dynamodb}, date = the request date), the
 * ±15 minute window and {@code x-amz-content-sha256}; then computes the expected signature and
 * compares the signatures in constant time.
 *
 * <p>Two ways to the expected signature. The fast path canonicalizes the request itself, for the
 * one shape every SDK sends to DynamoDB ({@code /}, no query, signed headers lower-case and
 * sorted, none the SDK leaves out of the canonical form), with the derived signing key cached per
 * (secret, date, region) — deriving it is four HMACs. When the fast path declines the request or
 * its signature differs, the AWS SDK's own signer signs the received request (only the headers
 * the client signed, at the client's timestamp) and decides: the fast path can only accept what
 * the SDK would also accept, and never refuses anything by itself.
 */
public final class SigV4Verifier {
    public static final String ALGORITHM = "AWS4-HMAC-SHA256";
    public static final String SERVICE = "dynamodb";
    public static final Duration CLOCK_SKEW_MAX = Duration.ofMinutes(15);
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final String BAD_SIGNATURE = "The request signature we calculated does not match the signature you "
            + "provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

    /** Headers the SDK's signer leaves out of the canonical request even when asked to sign them. */
    private static final Set<String> UNSIGNABLE = Set.of("connection", "x-amzn-trace-id", "user-agent", "expect");
    /** Derived signing keys kept (keys × days × regions in use); the whole cache is dropped when full. */
    static final int SIGNING_KEYS_MAX = 1024;
    private static final String HMAC = "HmacSHA256";

    private final Function<String, Optional<AccessKeys.AccessKey>> keys;
    private final Clock clock;
    private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();
    private final ConcurrentHashMap<SigningScope, Mac> signingKeys = new ConcurrentHashMap<>();
    private final AtomicLong derivations = new AtomicLong();

    public SigV4Verifier(AccessKeys keys, Clock clock) {
        this(keys::find, clock);
    }

    /** @param keys the key of an access key id, if any */
    SigV4Verifier(Function<String, Optional<AccessKeys.AccessKey>> keys, Clock clock) {
        this.keys = keys;
        this.clock = clock;
    }

    /** A signing key's scope: the secret it derives from, the scope date (yyyyMMdd) and region. */
    private record SigningScope(String secret, String date, String region) {
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
        AccessKeys.AccessKey key = keys.apply(scope[0]).orElseThrow(DynamoDbException::unrecognizedClient);
        String date = headers.get("x-amz-date");
        if (date == null) {
            throw DynamoDbException.incompleteSignature("Authorization header requires existence of either a 'X-Amz-Date' "
                    + "or a 'Date' header. Authorization=" + authorization);
        }
        Instant at;
        try {
            at = parseAmzDate(date);
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
        String payloadHash = sha256Hex(body);
        String contentSha = headers.get("x-amz-content-sha256");
        if (contentSha != null && !contentSha.equalsIgnoreCase(payloadHash)) {
            throw DynamoDbException.invalidSignature("The provided 'x-amz-content-sha256' header does not match what was computed.");
        }
        if (!p.signedHeaders.contains("host")) {
            throw DynamoDbException.invalidSignature("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
        }
        byte[] given = p.signature.getBytes(StandardCharsets.US_ASCII);
        String fast = fastSignature(method, path, headers, payloadHash, p.signedHeaders, key, scope[1], scope[2], date);
        if (fast != null && MessageDigest.isEqual(fast.getBytes(StandardCharsets.US_ASCII), given)) {
            return new Verified(key, scope[2]);
        }
        String expected = expectedSignature(method, path, headers, body, p.signedHeaders, key, scope[2], at);
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), given)) {
            throw DynamoDbException.invalidSignature(BAD_SIGNATURE);
        }
        return new Verified(key, scope[2]);
    }

    /** {@code yyyyMMdd'T'HHmmss'Z'}: read directly when well formed, else by the formatter (its errors and leniency). */
    static Instant parseAmzDate(String date) {
        if (date.length() == 16 && date.charAt(8) == 'T' && date.charAt(15) == 'Z') {
            boolean digits = true;
            for (int i = 0; i < 15 && digits; i++) {
                digits = i == 8 || (date.charAt(i) >= '0' && date.charAt(i) <= '9');
            }
            if (digits) {
                try {
                    return LocalDateTime.of(num(date, 0, 4), num(date, 4, 6), num(date, 6, 8), num(date, 9, 11),
                            num(date, 11, 13), num(date, 13, 15)).toInstant(ZoneOffset.UTC);
                } catch (DateTimeException e) {
                    // out of range: the formatter decides
                }
            }
        }
        return Instant.from(AMZ_DATE.parse(date));
    }

    private static int num(String s, int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) {
            n = n * 10 + (s.charAt(i) - '0');
        }
        return n;
    }

    /**
     * The signature by SigV4's definition for the request shape SDKs send to DynamoDB, or null
     * when the request has another shape (the SDK's signer then decides).
     */
    String fastSignature(String method, String path, Map<String, String> headers, String payloadHash,
                         List<String> signedHeaders, AccessKeys.AccessKey key, String scopeDate, String region, String amzDate) {
        if (!path.equals("/")) {
            return null;
        }
        StringBuilder canonical = new StringBuilder(512).append(method).append("\n/\n\n");
        String previous = "";
        for (String h : signedHeaders) {
            String v = headers.get(h);
            if (v == null || h.compareTo(previous) <= 0 || UNSIGNABLE.contains(h) || !isLowerCase(h)) {
                return null;
            }
            previous = h;
            canonical.append(h).append(':');
            appendTrimmed(canonical, v);
            canonical.append('\n');
        }
        canonical.append('\n').append(String.join(";", signedHeaders)).append('\n').append(payloadHash);
        String stringToSign = ALGORITHM + "\n" + amzDate + "\n" + scopeDate + "/" + region + "/" + SERVICE + "/aws4_request\n"
                + sha256Hex(canonical.toString().getBytes(StandardCharsets.UTF_8));
        Mac mac = signingMac(key.secret(), scopeDate, region);
        return HexFormat.of().formatHex(mac.doFinal(stringToSign.getBytes(StandardCharsets.UTF_8)));
    }

    /** A fresh HMAC keyed with the derived signing key of the scope (derived once per scope, then cloned). */
    private Mac signingMac(String secret, String date, String region) {
        SigningScope scope = new SigningScope(secret, date, region);
        Mac prototype = signingKeys.get(scope);
        if (prototype == null) {
            byte[] k = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), date);
            k = hmac(k, region);
            k = hmac(k, SERVICE);
            k = hmac(k, "aws4_request");
            prototype = newMac(k);
            derivations.incrementAndGet();
            if (signingKeys.size() >= SIGNING_KEYS_MAX) {
                signingKeys.clear();
            }
            signingKeys.put(scope, prototype);
        }
        try {
            return (Mac) prototype.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("the HmacSHA256 provider cannot clone", e);
        }
    }

    /** How many signing keys the fast path derived (the rest came from the cache). */
    long signingKeyDerivations() {
        return derivations.get();
    }

    private static byte[] hmac(byte[] key, String data) {
        return newMac(key).doFinal(data.getBytes(StandardCharsets.UTF_8));
    }

    private static Mac newMac(byte[] key) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(new SecretKeySpec(key, HMAC));
            return mac;
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean isLowerCase(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                return false;
            }
        }
        return true;
    }

    /** A canonical header value: leading and trailing whitespace dropped, inner runs as one space (as the SDK does). */
    static void appendTrimmed(StringBuilder out, String v) {
        int n = v.length();
        int i = 0;
        while (i < n && isWhitespace(v.charAt(i))) {
            i++;
        }
        boolean gap = false;
        for (; i < n; i++) {
            char c = v.charAt(i);
            if (isWhitespace(c)) {
                gap = true;
            } else {
                if (gap) {
                    out.append(' ');
                    gap = false;
                }
                out.append(c);
            }
        }
    }

    private static boolean isWhitespace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
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
            return HexFormat.of().formatHex(((MessageDigest) SHA256.clone()).digest(body));
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Cloned per use: cheaper than a provider lookup per request. */
    private static final MessageDigest SHA256;

    static {
        try {
            SHA256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
