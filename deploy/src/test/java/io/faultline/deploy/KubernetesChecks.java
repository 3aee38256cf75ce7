package io.faultline.deploy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Checks over parsed manifests; each returns the problems found, named by object and container. */
final class KubernetesChecks {

  /**
   * Kinds fabric8's core model does not type (CRDs of the Prometheus Operator, Strimzi and the
   * Spark operator).
   */
  static final Set<String> CUSTOM_KINDS =
      Set.of("ServiceMonitor", "PodMonitor", "PrometheusRule", "KafkaTopic", "SparkApplication");

  private KubernetesChecks() {}

  static String name(HasMetadata o) {
    return o.getKind() + "/" + o.getMetadata().getName();
  }

  /** The pod spec of a workload, or null for other kinds. */
  static PodSpec podSpec(HasMetadata o) {
    if (o instanceof Deployment d) {
      return d.getSpec().getTemplate().getSpec();
    }
    if (o instanceof StatefulSet s) {
      return s.getSpec().getTemplate().getSpec();
    }
    if (o instanceof DaemonSet s) {
      return s.getSpec().getTemplate().getSpec();
    }
    if (o instanceof Job j) {
      return j.getSpec().getTemplate().getSpec();
    }
    return null;
  }

  static boolean longRunning(HasMetadata o) {
    return o instanceof Deployment || o instanceof StatefulSet || o instanceof DaemonSet;
  }

  /** Objects fabric8 could not type although their kind is a core one, and unknown fields. */
  static List<String> schemaProblems(List<HasMetadata> objects) {
    List<String> problems = new ArrayList<>();
    for (HasMetadata o : objects) {
      if (o instanceof GenericKubernetesResource && !CUSTOM_KINDS.contains(o.getKind())) {
        problems.add(name(o) + ": kind " + o.getApiVersion() + " " + o.getKind() + " unknown");
      }
      if (!(o instanceof GenericKubernetesResource)) {
        unknownFields(o, name(o), problems, new IdentityHashMap<>());
      }
    }
    return problems;
  }

  /** A field the model does not have lands in additionalProperties: a typo or a wrong level. */
  private static void unknownFields(
      Object value, String path, List<String> problems, Map<Object, Boolean> seen) {
    if (value == null || seen.put(value, Boolean.TRUE) != null) {
      return;
    }
    if (value instanceof Collection<?> c) {
      int i = 0;
      for (Object item : c) {
        unknownFields(item, path + "[" + i++ + "]", problems, seen);
      }
      return;
    }
    if (value instanceof Map<?, ?> m) {
      m.forEach((k, v) -> unknownFields(v, path + "." + k, problems, seen));
      return;
    }
    if (!value.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
      return;
    }
    for (Method method : value.getClass().getMethods()) {
      if (method.getParameterCount() != 0
          || Modifier.isStatic(method.getModifiers())
          || !method.getName().startsWith("get")
          || method.getDeclaringClass() == Object.class) {
        continue;
      }
      Object child;
      try {
        child = method.invoke(value);
      } catch (ReflectiveOperationException e) {
        continue;
      }
      if (method.getName().equals("getAdditionalProperties")) {
        if (child instanceof Map<?, ?> extra && !extra.isEmpty()) {
          problems.add(path + ": unknown field(s) " + new TreeSet<>(extra.keySet()));
        }
        continue;
      }
      unknownFields(child, path + "." + method.getName().substring(3), problems, seen);
    }
  }

  /** Containers that could run as root, lack requests/limits, or (long-running) lack probes. */
  static List<String> podProblems(List<HasMetadata> objects) {
    List<String> problems = new ArrayList<>();
    for (HasMetadata o : objects) {
      PodSpec spec = podSpec(o);
      if (spec == null) {
        continue;
      }
      PodSecurityContext pod = spec.getSecurityContext();
      List<Container> all = new ArrayList<>(spec.getContainers());
      if (spec.getInitContainers() != null) {
        all.addAll(spec.getInitContainers());
      }
      for (Container c : all) {
        String where = name(o) + " container " + c.getName();
        SecurityContext sc = c.getSecurityContext();
        Boolean nonRoot = sc != null && sc.getRunAsNonRoot() != null ? sc.getRunAsNonRoot() : null;
        if (nonRoot == null && pod != null) {
          nonRoot = pod.getRunAsNonRoot();
        }
        Long user = sc != null && sc.getRunAsUser() != null ? sc.getRunAsUser() : null;
        if (user == null && pod != null) {
          user = pod.getRunAsUser();
        }
        if (!Boolean.TRUE.equals(nonRoot)) {
          problems.add(where + ": runAsNonRoot is not true");
        }
        if (user == null || user == 0) {
          problems.add(where + ": runAsUser is " + user + " (must be set and not 0)");
        }
        if (sc == null || !Boolean.FALSE.equals(sc.getAllowPrivilegeEscalation())) {
          problems.add(where + ": allowPrivilegeEscalation is not false");
        }
        if (sc == null || !Boolean.TRUE.equals(sc.getReadOnlyRootFilesystem())) {
          problems.add(where + ": readOnlyRootFilesystem is not true");
        }
        if (c.getResources() == null
            || c.getResources().getRequests() == null
            || c.getResources().getRequests().get("cpu") == null
            || c.getResources().getRequests().get("memory") == null
            || c.getResources().getLimits() == null
            || c.getResources().getLimits().get("memory") == null) {
          problems.add(where + ": cpu/memory requests and a memory limit are required");
        }
        boolean init = spec.getInitContainers() != null && spec.getInitContainers().contains(c);
        if (longRunning(o) && !init) {
          if (c.getLivenessProbe() == null) {
            problems.add(where + ": no livenessProbe");
          }
          if (c.getReadinessProbe() == null) {
            problems.add(where + ": no readinessProbe");
          }
        }
        Set<String> portNames = new TreeSet<>();
        if (c.getPorts() != null) {
          c.getPorts().forEach(p -> portNames.add(p.getName()));
        }
        for (Probe probe : java.util.Arrays.asList(c.getLivenessProbe(), c.getReadinessProbe())) {
          if (probe != null
              && probe.getHttpGet() != null
              && probe.getHttpGet().getPort().getStrVal() != null
              && !portNames.contains(probe.getHttpGet().getPort().getStrVal())) {
            problems.add(
                where
                    + ": probe port "
                    + probe.getHttpGet().getPort().getStrVal()
                    + " not declared");
          }
        }
      }
    }
    return problems;
  }

  /**
   * Selectors that select nothing: a workload whose selector does not match its own pod template,
   * and a Service or PodDisruptionBudget matching no pod template of the release.
   */
  static List<String> selectorProblems(List<HasMetadata> objects) {
    List<Map<String, String>> podLabels = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (HasMetadata o : objects) {
      Map<String, String> selector = null;
      Map<String, String> labels = null;
      if (o instanceof Deployment d) {
        selector = d.getSpec().getSelector().getMatchLabels();
        labels = d.getSpec().getTemplate().getMetadata().getLabels();
      } else if (o instanceof StatefulSet s) {
        selector = s.getSpec().getSelector().getMatchLabels();
        labels = s.getSpec().getTemplate().getMetadata().getLabels();
      } else if (o instanceof Job j) {
        labels = j.getSpec().getTemplate().getMetadata().getLabels();
      }
      if (labels != null) {
        podLabels.add(labels);
      }
      if (selector != null && !labels.entrySet().containsAll(selector.entrySet())) {
        problems.add(name(o) + ": selector " + selector + " does not match its pods " + labels);
      }
    }
    for (HasMetadata o : objects) {
      Map<String, String> selector = null;
      if (o instanceof Service s && s.getSpec().getSelector() != null) {
        selector = s.getSpec().getSelector();
      } else if (o instanceof PodDisruptionBudget p) {
        selector = p.getSpec().getSelector().getMatchLabels();
      }
      if (selector != null) {
        Map<String, String> wanted = selector;
        if (podLabels.stream().noneMatch(l -> l.entrySet().containsAll(wanted.entrySet()))) {
          problems.add(name(o) + ": selector " + selector + " matches no pod of the release");
        }
      }
    }
    return problems;
  }

  /** RBAC rules as "group|resource|verb" triples, so differently grouped rules compare equal. */
  static Set<String> triples(Collection<PolicyRule> rules) {
    Set<String> out = new TreeSet<>();
    for (PolicyRule r : rules) {
      for (String g : r.getApiGroups()) {
        for (String res : r.getResources()) {
          for (String v : r.getVerbs()) {
            out.add(g + "|" + res + "|" + v);
          }
        }
      }
    }
    return out;
  }
}
