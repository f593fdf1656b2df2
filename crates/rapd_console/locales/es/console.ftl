# Los textos en español de la consola (es-ES): los mismos mensajes que ../en/console.ftl.
app-title = consola de rapd
skip-link = Saltar al contenido
nav-partners = Asociados
nav-audit = Registro de auditoría
nav-settings = Configuración
nav-diagnostics = Solicitudes y errores
nav-label = Secciones
sign-out = Cerrar sesión
signed-in-as = { $user } en el inquilino { $tenant }
read-only-note = Acceso de solo lectura: no se ofrecen cambios.

sign-in-title = Iniciar sesión
sign-in-intro = Inicio de sesión de desarrollo: elija un inquilino y un usuario de desarrollo; la consola emite su token.
sign-in-tenant = Inquilino
sign-in-user = Usuario
sign-in-access = Acceso
access-write = Administrador (lectura y escritura)
access-read = Solo lectura
sign-in-submit = Iniciar sesión
sign-in-issuer-intro = Inicie sesión con la cuenta de su organización para administrar sus asociados de asistencia remota.
sign-in-issuer-submit = Iniciar sesión con su organización
sign-in-continue = Sesión iniciada. Continuar a los asociados.

partners-title = Asociados de asistencia remota
partners-empty = Todavía no hay asociados.
col-name = Nombre
col-status = Estado
col-actions = Acciones
status-notOnboarded = Sin incorporar
status-onboarding = Incorporándose
status-onboarded = Incorporado
detail-expires = caduca { $when }
detail-last-connection = última conexión { $when }
create-title = Agregar un asociado
field-display-name = Nombre para mostrar
field-onboarding-url = URL de incorporación (opcional)
create-submit = Agregar asociado
action-connect = Conectar
action-disconnect = Desconectar
action-delete = Eliminar
action-rename = Cambiar nombre
rename-title = Cambiar nombre
partner-title = Asociado { $name }
onboarding-title = Vínculo de incorporación
onboarding-intro = Entregue este vínculo al proveedor o deje que escanee el código. Esta página lo muestra cuando se conecte.
onboarding-qr-alt = Código QR del vínculo de incorporación
onboarding-code-only = Este asociado no tiene URL de incorporación; entregue al proveedor este código:
confirm-disconnect-title = ¿Desconectar { $name }?
confirm-disconnect-body = La credencial del asociado se revoca de inmediato: su proveedor queda desconectado en su siguiente llamada.
confirm-delete-title = ¿Eliminar { $name }?
confirm-delete-body = Se quitan el asociado y su conexión; el registro de auditoría conserva la entrada.
confirm-cancel = Cancelar
back-to-partners = Volver a los asociados

audit-title = Registro de auditoría
audit-empty = Todavía no hay registros de auditoría.
col-when = Cuándo
col-activity = Actividad
col-actor = Actor
col-resource = Asociado
col-result = Resultado
actor-partner = El proveedor del asociado
actor-test-control = Control de pruebas

settings-title = Configuración de asistencia remota (beta)
settings-state = Asistencia remota
settings-state-enabled = Habilitada
settings-state-disabled = Deshabilitada
settings-unenrolled = Permitir sesiones con dispositivos no inscritos
settings-block-chat = Bloquear el chat
settings-submit = Guardar configuración

diagnostics-title = Solicitudes y errores
requests-title = Solicitudes recientes de este inquilino
requests-empty = No hay solicitudes registradas.
col-method = Método
col-path = Ruta
col-status-code = Estado
col-duration = Duración (ms)
faults-title = Reglas de errores activas
faults-empty = No hay reglas de errores.
faults-off = La inyección de errores está desactivada.
col-rule-method = Método
col-rule-path = Ruta
col-rule-effect = Efecto
col-rule-left = Restantes
control-off = El registro de solicitudes y las reglas de errores solo existen con la API de control de pruebas activada.

error-title = Algo salió mal
error-csrf = Este formulario ha caducado. Vuelva atrás, recargue la página e inténtelo de nuevo.
error-not-found = Esta página no existe.
error-graph = Graph rechazó el cambio ({ $status }, { $code }): { $message }
error-sign-in = No se pudo iniciar sesión: { $reason }. Vuelva a la página de inicio de sesión e inténtelo de nuevo.
error-internal = El servidor falló; la causa está en su registro.

time-now = ahora mismo
time-in-minutes = { $n ->
    [one] dentro de { $n } minuto
   *[other] dentro de { $n } minutos
}
time-in-hours = { $n ->
    [one] dentro de { $n } hora
   *[other] dentro de { $n } horas
}
time-in-days = { $n ->
    [one] dentro de { $n } día
   *[other] dentro de { $n } días
}
time-ago-minutes = { $n ->
    [one] hace { $n } minuto
   *[other] hace { $n } minutos
}
time-ago-hours = { $n ->
    [one] hace { $n } hora
   *[other] hace { $n } horas
}
time-ago-days = { $n ->
    [one] hace { $n } día
   *[other] hace { $n } días
}
