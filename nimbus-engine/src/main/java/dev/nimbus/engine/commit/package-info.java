/** The mutation path: admission, group commit in one storage transaction, apply, conflict checks. */
package dev.nimbus.engine.commit;
