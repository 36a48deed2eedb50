// The VS Code client for gtc-lsp: starts the server over stdio for formula files and
// shows the cooked view (the server's `gtc.cookedView` command) in a read-only document.

import * as vscode from "vscode";
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  TransportKind,
} from "vscode-languageclient/node";

let client: LanguageClient | undefined;

function serverOptions(): ServerOptions {
  const config = vscode.workspace.getConfiguration("gtc");
  const command = config.get<string>("server.path", "gtc-lsp") || "gtc-lsp";
  const args = config.get<string[]>("server.extraArgs", []);
  return { run: { command, args, transport: TransportKind.stdio }, debug: { command, args, transport: TransportKind.stdio } };
}

async function showCookedView(uri: string | undefined, text?: string): Promise<void> {
  if (!client || !uri) {
    return;
  }
  const view = text ?? (await client.sendRequest<string>("workspace/executeCommand", { command: "gtc.cookedView", arguments: [uri] }));
  const doc = await vscode.workspace.openTextDocument({ content: String(view), language: "plaintext" });
  await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true });
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "formula-toml" },
      { scheme: "file", pattern: "**/*.formula.{json,yaml,yml}" },
    ],
    middleware: {
      // The code lens runs the server's command; show what it answers.
      executeCommand: async (command, args, next) => {
        const result = await next(command, args);
        if (command === "gtc.cookedView" && typeof result === "string") {
          await showCookedView(String(args[0]), result);
        }
        return result;
      },
    },
  };
  client = new LanguageClient("gtc", "Formulas (gtc-lsp)", serverOptions(), clientOptions);
  await client.start();
  context.subscriptions.push({ dispose: () => void client?.stop() });
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  context.subscriptions.push(
    vscode.commands.registerCommand("gtc.showCookedView", () =>
      showCookedView(vscode.window.activeTextEditor?.document.uri.toString()),
    ),
    vscode.commands.registerCommand("gtc.restartServer", async () => {
      await client?.stop();
      await start(context);
    }),
  );
  try {
    await start(context);
  } catch (e) {
    void vscode.window.showErrorMessage(
      `Formulas: cannot start gtc-lsp (${String(e)}). Install it (cargo install --path lsp) or set gtc.server.path.`,
    );
  }
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
