{{- define "ghosthunt.name" -}}ghosthunt-operator{{- end -}}

{{- define "ghosthunt.labels" -}}
app.kubernetes.io/name: ghosthunt-operator
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "ghosthunt.selector" -}}
app.kubernetes.io/name: ghosthunt-operator
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "ghosthunt.operatorImage" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{- define "ghosthunt.probeImage" -}}
{{ .Values.probes.image.repository }}:{{ .Values.probes.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{/* The rights on hunts, their events and their agents' RBAC: cluster-wide, or per watched namespace. */}}
{{- define "ghosthunt.huntRules" -}}
- apiGroups: [ghosthunt.io]
  resources: [ghosthunts]
  verbs: [get, list, watch, patch, update]
- apiGroups: [ghosthunt.io]
  resources: [ghosthunts/status]
  verbs: [get, patch, update]
# One report per node and hunt generation; the operator creates and removes them, reads them all,
# and may let probes patch their status (it can only grant what it holds).
- apiGroups: [ghosthunt.io]
  resources: [ghosthuntreports]
  verbs: [get, list, watch, create, delete, deletecollection]
- apiGroups: [ghosthunt.io]
  resources: [ghosthuntreports/status]
  verbs: [patch]
- apiGroups: [""]
  resources: [events]
  verbs: [create, patch]
# Pod hunts (spec.pods): which pods of the hunt's namespace its selector matches, through an
# informer (a pod that starts, ends or moves wakes the pod hunts of its namespace).
- apiGroups: [""]
  resources: [pods]
  verbs: [get, list, watch]
# Held only so that it may let a probe read the one CA-bundle ConfigMap its hunt names (a CA
# certificate is public; the operator itself never reads one).
- apiGroups: [""]
  resources: [configmaps]
  verbs: [get]
# Pod hunts' dns names: the ClusterIP the API gives a Service a name may name, and kube-system's
# kube-dns (the cluster DNS), read by name when the probes are made. Never list: a hunt learns no
# Service it did not name, and of another namespace's no more than the cluster DNS tells any pod
# (its address; its age only in the hunt's own namespace).
- apiGroups: [""]
  resources: [services]
  verbs: [get]
{{- if .Values.openReports.enabled }}
# One OpenReports Report per hunt, applied server-side (create, patch); owned by its hunt, so the
# garbage collector removes it, and the operator never reads, lists or deletes one.
- apiGroups: [openreports.io]
  resources: [reports]
  verbs: [create, patch]
{{- end }}
# The agent's Role and RoleBinding, only those (ghosthunt-operator-limits checks each at admission);
# its Roles are watched, so that a restarted operator sees rights a dead replica left behind.
- apiGroups: [rbac.authorization.k8s.io]
  resources: [roles, rolebindings]
  verbs: [get, list, watch, create, patch, delete, deletecollection]
{{- end -}}
