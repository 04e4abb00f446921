'use strict';

const path = require('path');
const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');
const { documentSelector } = require('./selector');

let client;

function activate(context) {
  const config = vscode.workspace.getConfiguration('alumniKpi');
  const command = config.get('server.path') || 'kpi';
  let data = config.get('server.data') || '';
  const folder = (vscode.workspace.workspaceFolders || [])[0];
  if (data && !path.isAbsolute(data) && folder) {
    data = path.join(folder.uri.fsPath, data);
  }

  // No `transport` key: the client then talks over stdin/stdout. Setting
  // `transport: TransportKind.stdio` would also append `--stdio` to the
  // arguments, which `kpi lsp` does not need.
  const serverOptions = { command, args: ['lsp'] };
  const clientOptions = {
    documentSelector,
    initializationOptions: data ? { data } : undefined,
  };

  client = new LanguageClient('alumniKpi', 'alumni-kpi', serverOptions, clientOptions);
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('alumniKpi.server')) {
        vscode.window.showInformationMessage(
          'alumni-kpi: reload the window to restart the server with the new settings.'
        );
      }
    })
  );
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
