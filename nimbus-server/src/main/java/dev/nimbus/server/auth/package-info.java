/** The local admin token: minting, storage, constant-time checks, rotation. */
package dev.nimbus.server.auth;
