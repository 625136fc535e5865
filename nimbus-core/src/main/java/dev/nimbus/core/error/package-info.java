/** The one exception type and the closed catalog of Nimbus error codes. */
package dev.nimbus.core.error;
