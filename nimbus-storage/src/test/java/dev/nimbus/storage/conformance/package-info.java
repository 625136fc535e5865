/** The storage conformance kit every provider runs unchanged (shipped as the test-jar). */
package dev.nimbus.storage.conformance;
