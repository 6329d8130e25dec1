package io.streamnode.testing;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;

/** What every thread of this JVM is doing, for the report of a call that hangs. */
public final class ThreadDump {

  private static final int MAX_FRAMES = 40;

  private ThreadDump() {
  }

  public static String text() {
    StringBuilder out = new StringBuilder();
    for (ThreadInfo info : ManagementFactory.getThreadMXBean().dumpAllThreads(true, true)) {
      out.append('"').append(info.getThreadName()).append("\" ").append(info.getThreadState())
          .append(info.getLockName() == null ? "" : " on " + info.getLockName()).append('\n');
      StackTraceElement[] stack = info.getStackTrace();
      for (int i = 0; i < Math.min(stack.length, MAX_FRAMES); i++) {
        out.append("    at ").append(stack[i]).append('\n');
      }
    }
    return out.toString();
  }
}
