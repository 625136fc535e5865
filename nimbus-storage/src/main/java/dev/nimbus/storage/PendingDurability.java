package dev.nimbus.storage;

/**
 * A committed write transaction whose durability may still be on its way: returned by
 * {@link WriteTransaction#commitDeferred()}. {@link #await()} returns once the commit is on
 * stable storage (or throws if it cannot be made so); it must be called exactly once, by one
 * thread, because a provider may hold resources until then. Awaiting a later commit's
 * durability makes every earlier commit of the same store durable too.
 */
@FunctionalInterface
public interface PendingDurability {

    /** For providers whose commit is durable when it returns. */
    PendingDurability DURABLE = () -> { };

    /** Blocks until the commit is durable. */
    void await();
}
