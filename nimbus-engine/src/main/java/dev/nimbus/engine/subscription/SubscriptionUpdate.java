package dev.nimbus.engine.subscription;

import dev.nimbus.core.model.Document;

import java.util.List;

/**
 * A subscription's result as of an applied journal sequence. Per subscription, sequences of
 * delivered updates strictly increase.
 */
public record SubscriptionUpdate(long sequence, List<Document> documents) {
    public SubscriptionUpdate {
        documents = List.copyOf(documents);
    }
}
