{{- define "scale.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "scale.labels" -}}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: scale
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
faultline.io/group: {{ .Values.group }}
{{- end -}}

{{/* Selector labels plus the common ones, for a workload and its pods: (dict "root" $ "component" "web") */}}
{{- define "scale.podLabels" -}}
{{ include "scale.selector" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: scale
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
{{- end -}}

{{/* The labels the contract puts on every Scale pod: (dict "root" $ "component" "web") */}}
{{- define "scale.selector" -}}
app.kubernetes.io/name: scale
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
faultline.io/group: {{ .root.Values.group }}
{{- end -}}

{{- define "scale.image" -}}
{{- $tag := .Values.image.tag | default .Chart.AppVersion -}}
{{- if .Values.image.registry -}}
{{- printf "%s/%s:%s" .Values.image.registry .Values.image.repository $tag -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository $tag -}}
{{- end -}}
{{- end -}}

{{- define "scale.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 65532
runAsGroup: 65532
fsGroup: 65532
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "scale.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: 65532
runAsGroup: 65532
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: ["ALL"]
{{- end -}}

{{- define "scale.passwordSecret" -}}
{{- .Values.postgresql.auth.existingSecret | default (printf "%s-postgresql" (include "scale.fullname" .)) -}}
{{- end -}}

{{/* SCALE_* settings shared by the web and the extraction Job. */}}
{{- define "scale.env" -}}
- name: SCALE_GROUP
  value: {{ .Values.group | quote }}
- name: SCALE_CORPUS_SIZE
  value: {{ .Values.corpus.size | quote }}
- name: SCALE_SEED
  value: {{ .Values.corpus.seed | quote }}
{{- if eq .Values.database.mode "postgresql" }}
- name: SCALE_DB_URL
  value: {{ printf "jdbc:postgresql://%s-postgresql:5432/%s" (include "scale.fullname" .) .Values.postgresql.database | quote }}
- name: SCALE_DB_USER
  value: {{ .Values.postgresql.user | quote }}
- name: SCALE_DB_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "scale.passwordSecret" . }}
      key: password
{{- else if eq .Values.database.mode "external" }}
{{- $secret := required "database.external.secret is required when database.mode is external: a Secret with keys url, user and password" .Values.database.external.secret }}
- name: SCALE_DB_URL
  valueFrom:
    secretKeyRef: {name: {{ $secret }}, key: url}
- name: SCALE_DB_USER
  valueFrom:
    secretKeyRef: {name: {{ $secret }}, key: user}
- name: SCALE_DB_PASSWORD
  valueFrom:
    secretKeyRef: {name: {{ $secret }}, key: password}
{{- end }}
{{- end -}}

{{/* "true" when the extraction runs as a SparkApplication: the Spark operator's CRD is served (or
extract.spark.mode forces it); else it runs as a Job, Spark local[*] in the pod. */}}
{{- define "scale.sparkApplication" -}}
{{- $mode := .Values.extract.spark.mode -}}
{{- if or (eq $mode "sparkApplication") (and (eq $mode "auto") (.Capabilities.APIVersions.Has "sparkoperator.k8s.io/v1beta2/SparkApplication")) -}}
true
{{- end -}}
{{- end -}}

{{- define "scale.sparkImage" -}}
{{- $tag := .Values.extract.image.tag | default .Values.image.tag | default .Chart.AppVersion -}}
{{- if .Values.image.registry -}}
{{- printf "%s/%s:%s" .Values.image.registry .Values.extract.image.repository $tag -}}
{{- else -}}
{{- printf "%s:%s" .Values.extract.image.repository $tag -}}
{{- end -}}
{{- end -}}

{{/* What Spark's launcher gives a Spark JVM on Java 17 (its JavaModuleOptions); the image's java
reads them from JDK_JAVA_OPTIONS, since its entrypoint is fixed. */}}
{{- define "scale.sparkJavaOptions" -}}
--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED --add-opens=java.base/sun.security.action=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED --add-opens=java.security.jgss/sun.security.krb5=ALL-UNNAMED -Djdk.reflect.useDirectMethodHandle=false -Dio.netty.tryReflectionSetAccessible=true
{{- end -}}

{{/* The extraction's settings beside scale.env: the corpus, Spark's JVM options, the task size. */}}
{{- define "scale.extractEnv" -}}
- name: SCALE_CORPUS
  value: {{ .Values.corpus.source | default "/corpus" | quote }}
- name: SCALE_SPARK_FILES_PER_TASK
  value: {{ .Values.extract.filesPerTask | quote }}
- name: JDK_JAVA_OPTIONS
  value: {{ include "scale.sparkJavaOptions" . | quote }}
{{- end -}}

{{/* A SparkApplication pod's corpus: /corpus and /tmp mounted; without corpus.source every pod,
driver and executors, generates the same corpus (same seed) before Spark starts, since an
emptyDir is the pod's own. */}}
{{- define "scale.sparkPodCorpus" -}}
volumeMounts:
  - {name: corpus, mountPath: /corpus}
  - {name: tmp, mountPath: /tmp}
{{- if not .Values.corpus.source }}
initContainers:
  - name: generate
    image: {{ include "scale.image" . }}
    imagePullPolicy: {{ .Values.image.pullPolicy }}
    args: ["generate"]
    securityContext:
      {{- include "scale.containerSecurityContext" . | nindent 6 }}
    env:
      - name: SCALE_GROUP
        value: {{ .Values.group | quote }}
      - name: SCALE_CORPUS
        value: /corpus
      - name: SCALE_CORPUS_SIZE
        value: {{ .Values.corpus.size | quote }}
      - name: SCALE_SEED
        value: {{ .Values.corpus.seed | quote }}
    resources:
      {{- toYaml .Values.extract.resources | nindent 6 }}
    volumeMounts:
      - {name: corpus, mountPath: /corpus}
      - {name: tmp, mountPath: /tmp}
{{- end }}
{{- end -}}
