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
