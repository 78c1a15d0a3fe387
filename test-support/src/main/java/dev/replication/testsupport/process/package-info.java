/**
 * Real-process fault harness: starts application jars as child JVMs on free loopback ports, and
 * kills (SIGKILL), pauses (SIGSTOP), resumes (SIGCONT) and stops (SIGTERM) them, so whole-product
 * tests can inject the failures a cluster meets in production.
 */
@NullMarked
package dev.replication.testsupport.process;

import org.jspecify.annotations.NullMarked;
