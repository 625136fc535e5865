/** Small shared building blocks with no domain meaning of their own. */
package dev.nimbus.core.util;
