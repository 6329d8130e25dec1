package io.streamnode.cluster;

import com.hazelcast.cluster.Address;
import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.instance.EndpointQualifier;
import com.hazelcast.instance.impl.DefaultNodeContext;
import com.hazelcast.instance.impl.HazelcastInstanceFactory;
import com.hazelcast.instance.impl.Node;
import com.hazelcast.internal.server.Server;
import com.hazelcast.internal.server.ServerConnectionManager;
import com.hazelcast.internal.server.tcp.LocalAddressRegistry;
import com.hazelcast.internal.server.tcp.ServerSocketRegistry;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * A network split for Hazelcast members in one JVM, without root or iptables: each member is made
 * with a member-to-member connection manager that refuses to send to, or connect to, the
 * addresses its firewall blocks. Everything Hazelcast sends another member (operations, backups,
 * heartbeats, join and merge messages) goes through that manager, so a member whose firewall blocks
 * every peer, and whose peers block it, is cut off: both sides stop hearing heartbeats and each
 * forms a cluster of its own; unblocked, Hazelcast's split-brain healing merges them again.
 * The Vert.x event bus between the nodes is not cut (its own TCP connections).
 */
final class Firewall {

  private final Set<Address> blocked = ConcurrentHashMap.newKeySet();

  /** Makes members whose connections this firewall filters (for {@link ClusterMember#join}). */
  Function<Config, HazelcastInstance> members() {
    return config -> HazelcastInstanceFactory.newHazelcastInstance(config, "split-" + UUID.randomUUID(),
        new DefaultNodeContext() {
          @Override
          public Server createServer(Node node, ServerSocketRegistry registry, LocalAddressRegistry addresses) {
            return filtered(super.createServer(node, registry, addresses));
          }
        });
  }

  void block(Address address) {
    blocked.add(address);
  }

  void unblockAll() {
    blocked.clear();
  }

  private Server filtered(Server server) {
    return proxy(Server.class, server, (method, args) -> {
      Object result = invoke(method, server, args);
      if (method.getName().equals("getConnectionManager") && args[0] == EndpointQualifier.MEMBER
          && result instanceof ServerConnectionManager manager) {
        return filtered(manager);
      }
      return result;
    });
  }

  private ServerConnectionManager filtered(ServerConnectionManager manager) {
    return proxy(ServerConnectionManager.class, manager, (method, args) -> {
      Address to = args == null ? null
          : args.length > 0 && args[0] instanceof Address a ? a
          : args.length > 1 && args[1] instanceof Address b ? b : null;
      if (to != null && blocked.contains(to)) {
        return switch (method.getName()) {
          case "transmit", "blockOnConnect", "register" -> false;
          case "getAllConnections" -> List.of();
          default -> method.getReturnType() == boolean.class ? false : null; // get, getOrConnect: no connection
        };
      }
      return invoke(method, manager, args);
    });
  }

  private interface Call {
    Object apply(Method method, Object[] args) throws Throwable;
  }

  @SuppressWarnings("unchecked")
  private static <T> T proxy(Class<T> type, T target, Call call) {
    InvocationHandler handler = (self, method, args) -> {
      if (method.getDeclaringClass() == Object.class) {
        return invoke(method, target, args);
      }
      return call.apply(method, args);
    };
    return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler);
  }

  private static Object invoke(Method method, Object target, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
