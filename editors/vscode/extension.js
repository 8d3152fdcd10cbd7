// The RSPL extension: starts the language server (`rspl lsp`, over stdio) for .rspl files.
// Plain JavaScript, no build step: `npm install` (for vscode-languageclient) and the folder is
// an extension. The command comes from the `rspl.server.command` setting.
"use strict";

const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const [command, ...args] = vscode.workspace
    .getConfiguration("rspl")
    .get("server.command", ["rspl", "lsp"]);
  // stdio is the default transport; naming it would make the client append `--stdio`
  const server = { command, args };
  client = new LanguageClient(
    "rspl",
    "RSPL language server",
    { run: server, debug: server },
    { documentSelector: [{ scheme: "file", language: "rspl" }, { scheme: "untitled", language: "rspl" }] },
  );
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
