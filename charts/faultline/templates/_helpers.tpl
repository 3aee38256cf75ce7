{{/* Names and labels shared by every template. */}}
{{- define "faultline.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "faultline.labels" -}}
app.kubernetes.io/name: faultline
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Selector labels of one component: (dict "root" $ "component" "agent") */}}
{{- define "faultline.selector" -}}
app.kubernetes.io/name: faultline
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "faultline.image" -}}
{{- $tag := .root.Values.image.tag | default .root.Chart.AppVersion -}}
{{- if .root.Values.image.registry -}}
{{- printf "%s/%s:%s" .root.Values.image.registry .repository $tag -}}
{{- else -}}
{{- printf "%s:%s" .repository $tag -}}
{{- end -}}
{{- end -}}

{{/* Pod-level security: non-root, seccomp. */}}
{{- define "faultline.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.securityContext.runAsUser }}
runAsGroup: {{ .Values.securityContext.runAsGroup }}
fsGroup: {{ .Values.securityContext.fsGroup }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Container-level security: read-only root, no capabilities, no escalation. */}}
{{- define "faultline.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.securityContext.runAsUser }}
runAsGroup: {{ .Values.securityContext.runAsGroup }}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: ["ALL"]
{{- end -}}

{{- define "faultline.imagePullSecrets" -}}
{{- with .Values.image.pullSecrets }}
imagePullSecrets:
{{- range . }}
  - name: {{ . }}
{{- end }}
{{- end }}
{{- end -}}

{{/* FAULTLINE_* environment shared by every component: Kafka, TLS, SASL (secrets by reference). */}}
{{- define "faultline.kafkaEnv" -}}
- name: FAULTLINE_BOOTSTRAP_SERVERS
  value: {{ required "kafka.bootstrapServers is required, e.g. --set kafka.bootstrapServers=broker:9092" .Values.kafka.bootstrapServers | quote }}
- name: FAULTLINE_TOPICS_PREFIX
  value: {{ .Values.kafka.topicsPrefix | quote }}
- name: FAULTLINE_KAFKA_SECURITY_PROTOCOL
  value: {{ .Values.kafka.securityProtocol | quote }}
{{- if .Values.kafka.tls.caSecret.name }}
- name: FAULTLINE_KAFKA_SSL_TRUSTSTORE_TYPE
  value: PEM
- name: FAULTLINE_KAFKA_SSL_TRUSTSTORE_LOCATION
  value: /etc/faultline/kafka-ca/{{ .Values.kafka.tls.caSecret.key }}
{{- end }}
{{- if hasPrefix "SASL" .Values.kafka.securityProtocol }}
- name: FAULTLINE_KAFKA_SASL_MECHANISM
  value: {{ .Values.kafka.sasl.mechanism | quote }}
{{- end }}
{{- range $k, $v := .Values.kafka.extraProperties }}
- name: {{ printf "FAULTLINE_KAFKA_%s" ($k | replace "." "_" | upper) }}
  value: {{ $v | quote }}
{{- end }}
{{- with .Values.jvmOptions }}
- name: JAVA_TOOL_OPTIONS
  value: {{ . | quote }}
{{- end }}
{{- end -}}

{{/* The SASL JAAS line of one component: its own Kafka user (least ACLs, docs/security.md) when
     (dict "root" $ "secret" .Values.agent.kafkaJaasSecret) names one, else kafka.sasl.jaasSecret. */}}
{{- define "faultline.kafkaJaasEnv" -}}
{{- $own := .secret | default dict -}}
{{- $secret := ternary $own .root.Values.kafka.sasl.jaasSecret (not (empty $own.name)) -}}
{{- if and (hasPrefix "SASL" .root.Values.kafka.securityProtocol) $secret.name }}
- name: FAULTLINE_KAFKA_SASL_JAAS_CONFIG
  valueFrom:
    secretKeyRef:
      name: {{ $secret.name }}
      key: {{ $secret.key }}
{{- end }}
{{- end -}}

{{/* A component's free-form config keys as FAULTLINE_* variables (ConfigSource maps them back):
     cloudwatch.cluster -> FAULTLINE_CLOUDWATCH_CLUSTER. */}}
{{- define "faultline.configEnv" -}}
{{- range $k, $v := . }}
- name: {{ printf "FAULTLINE_%s" ($k | replace "." "_" | upper) }}
  value: {{ $v | quote }}
{{- end }}
{{- end -}}

{{/* Volumes every faultline pod has: a writable /tmp, and the Kafka CA when set. */}}
{{- define "faultline.volumes" -}}
- name: tmp
  emptyDir:
    sizeLimit: 256Mi
{{- if .Values.kafka.tls.caSecret.name }}
- name: kafka-ca
  secret:
    secretName: {{ .Values.kafka.tls.caSecret.name }}
{{- end }}
{{- end -}}

{{- define "faultline.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
{{- if .Values.kafka.tls.caSecret.name }}
- name: kafka-ca
  mountPath: /etc/faultline/kafka-ca
  readOnly: true
{{- end }}
{{- end -}}

{{/* The topics of the schemas module's Topics registry: suffix, partitions ("" = topics.partitions), compacted, retention ms. A chart test compares this list with Topics.defaults(). */}}
{{- define "faultline.topics" -}}
- {suffix: experiments, partitions: 1, compacted: true, retentionMs: 0}
- {suffix: attack.commands, partitions: 0, compacted: false, retentionMs: 604800000}
- {suffix: attack.events, partitions: 0, compacted: false, retentionMs: 2592000000}
- {suffix: attack.starts, partitions: 0, compacted: false, retentionMs: 2592000000}
- {suffix: attack.state, partitions: 0, compacted: true, retentionMs: 0}
- {suffix: metrics, partitions: 0, compacted: false, retentionMs: 86400000}
- {suffix: steadystate, partitions: 0, compacted: false, retentionMs: 604800000}
- {suffix: alerts, partitions: 0, compacted: false, retentionMs: 2592000000}
- {suffix: results, partitions: 0, compacted: true, retentionMs: 0}
- {suffix: dlq, partitions: 0, compacted: false, retentionMs: 604800000}
- {suffix: history, partitions: 0, compacted: true, retentionMs: 0}
{{- end -}}

{{/* A duration value (500ms, 30s, 5m, 1h or ISO-8601 such as PT1.5S) in milliseconds, to compare
two settings; fails naming the value otherwise. (dict "key" "analyzer.grace" "value" "1s") */}}
{{- define "faultline.durationMs" -}}
{{- $d := toString .value | trim -}}
{{- $m := regexFind "^[0-9]+(ms|s|m|h)$" $d -}}
{{- if $m -}}
{{- $n := regexFind "^[0-9]+" $d | atoi -}}
{{- $unit := regexFind "[a-z]+$" $d -}}
{{- if eq $unit "ms" }}{{ $n }}{{ else if eq $unit "s" }}{{ mul $n 1000 }}{{ else if eq $unit "m" }}{{ mul $n 60000 }}{{ else }}{{ mul $n 3600000 }}{{ end -}}
{{- else if regexMatch "^P([0-9]+D)?(T([0-9]+H)?([0-9]+M)?([0-9]+(\\.[0-9]+)?S)?)?$" $d -}}
{{- $days := regexFind "^P[0-9]+D" $d | trimPrefix "P" | trimSuffix "D" | default "0" | atoi -}}
{{- $time := regexFind "T.*$" $d -}}
{{- $hours := regexFind "[0-9]+H" $time | trimSuffix "H" | default "0" | atoi -}}
{{- $minutes := regexFind "[0-9]+M" $time | trimSuffix "M" | default "0" | atoi -}}
{{- $seconds := regexFind "[0-9.]+S" $time | trimSuffix "S" | default "0" | float64 -}}
{{- add (mul $days 86400000) (mul $hours 3600000) (mul $minutes 60000) (mulf $seconds 1000 | int) -}}
{{- else -}}
{{- fail (printf "%s %s: not a duration the chart can compare; use e.g. 500ms, 30s, 5m, 1h or PT30S" .key $d) -}}
{{- end -}}
{{- end -}}
