// English strings of the app area: the offline status and the update prompt.
export const app = {
  'pwa.pending': 'Preparing offline use…',
  'pwa.pending.hint': 'Saving the app on this device so it opens without a connection.',
  'pwa.ready': 'Offline ready',
  'pwa.ready.hint': 'The app, your documents, test sets and runs work without a connection. Models you have already downloaded work too; other models need a connection.',
  'pwa.unavailable': 'Offline use unavailable',
  'pwa.unavailable.hint': 'The offline copy could not be installed: {reason}',
  'pwa.installFailed.hint': 'The offline copy could not be saved. Is the browser storage full? Free space on the Models & Storage screen, then reload.',
  'pwa.unsupported.hint': 'This browser cannot keep an offline copy here (service workers need HTTPS or localhost).',
  'pwa.offline': 'Offline',
  'pwa.offline.hint': 'No connection. Everything already on this device keeps working; downloading a new model needs a connection.',
  'pwa.version': 'Version {build}',
  'pwa.update.label': 'Update available',
  'pwa.update.text': 'A new version of Method Lab is available.',
  'pwa.update.note': 'Reloading keeps your documents, test sets and runs.',
  'pwa.update.reload': 'Reload',
  'pwa.update.later': 'Later',
} as const;
