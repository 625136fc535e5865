package dev.nimbus.server.dynamodb.differential;

/**
 * One op whose canonical answers differ between the two endpoints, with everything needed to
 * reproduce it: the run seed, the sequence index and seed, the op index, the request and both
 * answers (canonical JSON).
 */
public record Difference(long runSeed, int sequence, long sequenceSeed, int opIndex, String opName,
                         String request, String leftName, String left, String rightName, String right) {
    @Override
    public String toString() {
        return "run seed " + runSeed + ", sequence #" + sequence + " (seed " + sequenceSeed + "), op #" + opIndex
                + " " + opName + "\n  request: " + request
                + "\n  " + leftName + ": " + left
                + "\n  " + rightName + ": " + right;
    }
}
