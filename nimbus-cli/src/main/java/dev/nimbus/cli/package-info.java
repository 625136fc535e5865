/** The nimbus command line: start, dev, token, auth, verify, and how flags, env and config resolve. */
package dev.nimbus.cli;
