/** Table access policies: compiling a schema's CEL read/write rules and deciding, per principal and document, whether access is allowed. */
package dev.nimbus.engine.policy;
