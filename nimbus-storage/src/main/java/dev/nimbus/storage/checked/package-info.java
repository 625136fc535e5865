/** A contract-checking decorator for any storage provider, used by the conformance kit. */
package dev.nimbus.storage.checked;
