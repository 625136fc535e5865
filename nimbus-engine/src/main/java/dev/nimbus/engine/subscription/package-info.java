/** Live queries: registration, invalidation by committed writes, coalesced monotonic delivery. */
package dev.nimbus.engine.subscription;
