// The console pages: noVNC and an xterm serial terminal. They load their libraries from the
// gateway itself (`assets/...`, served from the npm packages), never from another origin,
// and connect to `websocket?token=...` next to them.

const STYLE = `html,body{margin:0;height:100%;background:#111;color:#ddd;font:13px system-ui,sans-serif}
#bar{height:26px;line-height:26px;padding:0 10px;background:#222}#screen{position:absolute;top:26px;bottom:0;left:0;right:0}`;

/** The websocket URL of this page's token (same origin, ws: or wss:). */
const SOCKET_URL = `const token = new URLSearchParams(location.search).get('token') ?? '';
const socketUrl = new URL('websocket?token=' + encodeURIComponent(token), location.href);
socketUrl.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
const bar = document.getElementById('bar');
const show = (state, text) => { bar.dataset.state = state; bar.textContent = text; };`;

const page = (title: string, head: string, script: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="referrer" content="no-referrer"><title>${title}</title>
<style>${STYLE}</style>${head}</head>
<body><div id="bar" data-state="connecting">Connecting…</div><div id="screen"></div>
<script type="module">
${SOCKET_URL}
${script}
</script></body></html>
`;

export const NOVNC_PAGE = page(
  'Console',
  '',
  `import RFB from './assets/novnc/core/rfb.js';
const rfb = new RFB(document.getElementById('screen'), socketUrl.href);
rfb.scaleViewport = true;
rfb.addEventListener('connect', () => show('connected', 'Connected'));
rfb.addEventListener('desktopname', (e) => { document.title = e.detail.name; bar.dataset.name = e.detail.name; });
rfb.addEventListener('disconnect', (e) => show('disconnected', e.detail.clean ? 'Disconnected' : 'Connection lost'));
window.rfb = rfb;`,
);

export const SERIAL_PAGE = page(
  'Serial console',
  '<link rel="stylesheet" href="assets/xterm/xterm.css">',
  `import { Terminal } from './assets/xterm/xterm.mjs';
import { AttachAddon } from './assets/addon-attach/addon-attach.mjs';
const term = new Terminal({ convertEol: false, cursorBlink: true });
term.open(document.getElementById('screen'));
const ws = new WebSocket(socketUrl.href);
ws.binaryType = 'arraybuffer';
ws.addEventListener('open', () => { show('connected', 'Connected'); term.focus(); });
ws.addEventListener('close', (e) => show('disconnected', e.reason ? 'Closed: ' + e.reason : 'Disconnected'));
term.loadAddon(new AttachAddon(ws));
window.term = term;`,
);

/** Files the pages may load, by their path under `assets/`: package and file inside it. */
export function assetOf(path: string): { pkg: string; file: string; type: string } | undefined {
  if (path.includes('..')) return undefined;
  const m = /^(novnc|xterm|addon-attach)\/([\w/.-]+)$/.exec(path);
  if (!m) return undefined;
  const [, pkg, file] = m as unknown as [string, string, string];
  const allowed =
    pkg === 'novnc' ? /^(core|vendor)\/[\w/.-]+\.js$/.test(file) : pkg === 'xterm' ? ['xterm.mjs', 'xterm.css'].includes(file) : file === 'addon-attach.mjs';
  if (!allowed) return undefined;
  return { pkg, file, type: file.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8' };
}
