// Adapter: our app's live channel (ePEP, Rust/axum, `GET /live/pep/{pep_id}?since=0`).
//
//   server: the release `server serve --demo` binary, started fresh for each scenario on
//           --port (default: a free port) against an existing SQLite database that already holds
//           the PEPs the rooms use (see README: "Target epep"). EPEP_SPAWN=0 uses --url instead.
//   client: `ws` WebSockets with the headers a browser page sends: `Origin` (must match `Host`,
//           or the handshake is refused with 403) and the session cookie.
//
// Each room is one PEP (EPEP_PEPS_FILE: one PEP id a line; room r is line r). Every connection
// of every room is the same signed-in person (EPEP_PERSON, default the designated teacher Sarah
// Whitfield, who may edit the five fields below on every bench PEP): signed in once over the API
// (password, then a TOTP code from `oathtool`), the cookie cached in EPEP_COOKIES and reused
// by every connection.
//
// A live draft carries the field's whole value. The typist sends `focus` on the field before its
// first draft there (it then holds the field; a non-holder's draft is refused), then one `draft`
// per edit whose value is the field's text so far plus this edit: `~<id36>.<tus36>:` followed by
// filler, 20 characters an edit (the harness's --chars). A receiver reads the LAST marker of the
// value it is sent. `~`, `.` and `:` never occur in the filler, so the marker is unambiguous.
// `--mode map` instead replaces the value with just this edit's 20 characters (constant size).
//
// Like the page, every connection pings every second (the server closes a connection silent for 8 s).
import { spawn, execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync, existsSync, mkdirSync, openSync } from 'node:fs'
import { dirname, join } from 'node:path'
import WebSocket from 'ws'

const here = dirname(new URL(import.meta.url).pathname)
const nm = join(here, '..', 'node_modules')
const env = process.env
const HOME = env.HOME ?? '.'
const work = env.EPEP_BENCH_DIR ?? join(here, '..', 'work')
const CFG = {
  peps: env.EPEP_PEPS_FILE ?? join(work, 'bench_peps.txt'),
  cookies: env.EPEP_COOKIES ?? join(work, 'cookies.json'),
  person: env.EPEP_PERSON ?? 's.whitfield@brookfield.example',
  password: env.EPEP_PASSWORD ?? 'northdale-demo-2026',
  totpSecret: env.EPEP_TOTP_SECRET ?? 'NORTHDALEDEMOSECRETFORTRYINGEPEP',
  bin: env.EPEP_SERVER_BIN ?? join(HOME, '.cache/epep/target/release/server'),
  db: env.EPEP_DB ?? 'sqlite://' + join(work, 'epep.db'),
  siteRoot: env.EPEP_SITE_ROOT ?? 'target/site',
  mailDir: env.EPEP_MAIL_DIR ?? join(work, 'mail'),
  serverLog: env.EPEP_SERVER_LOG ?? join(work, 'epep-bench-server.log'),
  spawn: env.EPEP_SPAWN !== '0',
  heartbeatMs: 1000
}

// The harness's PEP-like field names, mapped onto real questions of the PEP form that the designated
// teacher may edit in every phase and every state but submitted/approved (section rights table).
const FIELD_MAP = {
  health: { section: 'semh', field: 'needs' },
  education: { section: 'send', field: 'needs' },
  attendance: { section: 'attendance', field: 'support' },
  wellbeing: { section: 'semh', field: 'support' },
  actions: { section: 'transition', field: 'plans' }
}
const fieldKey = f => FIELD_MAP[f] ?? { section: 'semh', field: 'needs' }
const keyOf = fk => `${fk.section}.${fk.field}`

export const name = 'epep'
export const description =
  'ePEP live channel: axum WebSocket /live/pep/{id} (Rust release build, SQLite); clients are ws@8 with Origin + session cookie; drafts carry the whole field value'

const pkgVersion = (p) => {
  try { return JSON.parse(readFileSync(join(nm, p, 'package.json'), 'utf8')).version } catch { return null }
}
export function versions () {
  let bin = null
  try { bin = execFileSync(CFG.bin, ['--version'], { encoding: 'utf8' }).trim() } catch {}
  return { server: bin, 'ws (client)': pkgVersion('ws'), database: CFG.db.split(':')[0] }
}

// ---------- totals for this process (printed to stderr at exit) ----------
const totals = { byType: {}, refused: {}, closing: {}, opened: 0, closedUnexpectedly: 0 }
process.on('exit', () => {
  process.stderr.write(`[epep adapter] messages received by type ${JSON.stringify(totals.byType)}; ` +
    `refused ${JSON.stringify(totals.refused)}; closing ${JSON.stringify(totals.closing)}; ` +
    `opened ${totals.opened}; closed unexpectedly ${totals.closedUnexpectedly}\n`)
})

// ---------- HTTP helpers: sign in once per person, reuse the cookie ----------
function httpBase (url) {
  const u = new URL(url)
  return `http://${u.host}`
}
async function api (base, path, fields, cookie) {
  const headers = {
    accept: 'application/json',
    'sec-fetch-site': 'same-origin',
    'content-type': 'application/x-www-form-urlencoded'
  }
  if (cookie) headers.cookie = cookie
  const res = await fetch(base + path, { method: 'POST', headers, body: new URLSearchParams(fields) })
  const text = await res.text()
  let body = null
  try { body = JSON.parse(text) } catch { body = text }
  return { status: res.status, body, setCookie: res.headers.get('set-cookie') }
}
const sleep = ms => new Promise(resolve => setTimeout(resolve, ms))

async function signIn (base, log) {
  const r = await api(base, '/api/auth/sign_in', { email: CFG.person, password: CFG.password })
  if (r.status !== 200 || !r.setCookie) throw new Error(`sign_in ${r.status}: ${JSON.stringify(r.body)}`)
  const cookie = r.setCookie.split(';')[0]
  if (r.body?.user?.second_factor_pending) {
    for (let attempt = 0; attempt < 2; attempt++) {
      const code = execFileSync('oathtool', ['--totp', '-b', CFG.totpSecret], { encoding: 'utf8' }).trim()
      const v = await api(base, '/api/auth/verify_second_factor', { code }, cookie)
      if (v.status === 200) break
      if (attempt === 1) throw new Error(`verify_second_factor ${v.status}: ${JSON.stringify(v.body)}`)
      // Each code works once per person: wait for the next 30 s step.
      const wait = 30000 - (Date.now() % 30000) + 1500
      log?.(`epep: TOTP code refused (${v.status}); waiting ${Math.round(wait / 1000)} s for the next one`)
      await sleep(wait)
    }
  }
  return cookie
}

let sessionPromise = null
function session (base, log) {
  if (!sessionPromise) {
    sessionPromise = (async () => {
      let jar = {}
      try { jar = JSON.parse(readFileSync(CFG.cookies, 'utf8')) } catch {}
      const cached = jar[CFG.person]
      if (cached) {
        const who = await api(base, '/api/auth/who_am_i', {}, cached)
        if (who.status === 200 && who.body && who.body.second_factor_pending === false) return cached
      }
      log?.(`epep: signing in ${CFG.person}`)
      const cookie = await signIn(base, log)
      jar[CFG.person] = cookie
      mkdirSync(dirname(CFG.cookies), { recursive: true })
      writeFileSync(CFG.cookies, JSON.stringify(jar, null, 1))
      return cookie
    })()
  }
  return sessionPromise
}

let pepIds = null
function pepFor (room) {
  if (!pepIds) pepIds = readFileSync(CFG.peps, 'utf8').split('\n').map(s => s.trim()).filter(Boolean)
  const m = /(\d+)$/.exec(room)
  const idx = m ? Number(m[1]) : 0
  if (idx >= pepIds.length) throw new Error(`room ${room}: only ${pepIds.length} PEPs in ${CFG.peps}`)
  return pepIds[idx]
}

// ---------- server ----------
export async function startServer ({ host, port, log }) {
  if (!CFG.spawn) throw new Error('EPEP_SPAWN=0: pass --url and --server-pid')
  mkdirSync(CFG.mailDir, { recursive: true })
  const out = openSync(CFG.serverLog, 'a')
  const child = spawn(CFG.bin, ['serve', '--demo'], {
    env: {
      ...process.env,
      DATABASE_URL: CFG.db,
      LEPTOS_SITE_ROOT: CFG.siteRoot,
      EPEP_MAIL_DIR: CFG.mailDir,
      LEPTOS_SITE_ADDR: `${host}:${port}`,
      EPEP_PUBLIC_URL: `http://${host}:${port}`
    },
    stdio: ['ignore', out, out]
  })
  const exited = new Promise(resolve => child.once('exit', (code, sig) => resolve({ code, sig })))
  const base = `http://${host}:${port}`
  const deadline = Date.now() + 30000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`epep server exited (${child.exitCode}); see ${CFG.serverLog}`)
    try { const r = await fetch(`${base}/healthz`); if (r.ok) break } catch {}
    if (Date.now() > deadline) { child.kill('SIGKILL'); throw new Error('epep server not healthy within 30 s') }
    await sleep(100)
  }
  await session(base, log) // sign in (or check the cached cookie) before the clock starts
  log?.(`epep: server pid ${child.pid} healthy on ${base}`)
  return {
    pid: child.pid,
    url: `ws://${host}:${port}`,
    exited,
    async stop () {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM')
      const t = setTimeout(() => child.kill('SIGKILL'), 10000)
      await exited
      clearTimeout(t)
    }
  }
}

// ---------- one page's connection ----------
const MARK_RE = /^~([0-9a-z]+)\.([0-9a-z]+):/
const encodeMark = (id, t) => `~${id.toString(36)}.${Math.round(t * 1000).toString(36)}:`

// Opens a page's live connection as a browser does (Origin and session cookie, `since=0`), hands
// every JSON message to `onMessage`, resolves once welcomed and told who is here, and pings like
// the page. Shared by this adapter and `epep-text.mjs`.
export async function openLive ({ url, pepId, cookie, clientId, openTimeoutMs = 30000, onMessage }) {
  const ws = new WebSocket(`${url}/live/pep/${encodeURIComponent(pepId)}?since=0`, {
    headers: { Origin: httpBase(url), Cookie: cookie },
    perMessageDeflate: false
  })
  await new Promise((resolve, reject) => {
    let welcomed = false
    const to = setTimeout(() => reject(new Error(`${clientId}: no welcome+presence after ${openTimeoutMs} ms`)), openTimeoutMs)
    ws.once('unexpected-response', (_req, res) => { clearTimeout(to); reject(new Error(`${clientId}: handshake ${res.statusCode}`)) })
    ws.once('error', err => { clearTimeout(to); reject(err) })
    ws.on('message', (data, isBinary) => {
      if (isBinary) return
      let msg
      try { msg = JSON.parse(data.toString()) } catch { return }
      if (msg.type === 'welcome') welcomed = true
      if (msg.type === 'presence' && welcomed) { clearTimeout(to); resolve() }
      onMessage(msg)
    })
  })
  const ping = setInterval(() => { if (ws.readyState === WebSocket.OPEN) ws.send('{"type":"ping"}') }, CFG.heartbeatMs)
  ping.unref()
  return { ws, stopPinging: () => clearInterval(ping) }
}

export async function connect (room, clientId, ctx) {
  const { url, mode = 'text', openTimeoutMs = 30000 } = ctx
  const cookie = await session(httpBase(url))
  const values = new Map() // field key -> value as this page last saw or typed it
  let focused = null
  let cb = () => {}
  let disconnects = 0
  let refused = 0
  let closedByUs = false
  let connection = null

  const onMessage = msg => {
    totals.byType[msg.type] = (totals.byType[msg.type] ?? 0) + 1
    switch (msg.type) {
      case 'welcome': connection = msg.connection; break
      case 'draft': {
        const k = keyOf(msg.field)
        values.set(k, msg.value)
        const v = msg.value
        const at = mode === 'map' ? 0 : v.lastIndexOf('~')
        const m = at >= 0 ? MARK_RE.exec(v.slice(at)) : null
        if (m) cb({ id: parseInt(m[1], 36), t: parseInt(m[2], 36) / 1000 })
        break
      }
      case 'refused':
        refused++
        totals.refused[msg.reason] = (totals.refused[msg.reason] ?? 0) + 1
        break
      case 'closing':
        totals.closing[msg.reason] = (totals.closing[msg.reason] ?? 0) + 1
        break
      default: break // presence, changed, pong
    }
  }
  const { ws, stopPinging } = await openLive({ url, pepId: pepFor(room), cookie, clientId, openTimeoutMs, onMessage })
  totals.opened++
  ws.on('close', () => { if (!closedByUs) { disconnects++; totals.closedUnexpectedly++ } })

  return {
    sendEdit ({ id, t, field, text }) {
      const fk = fieldKey(field)
      const k = keyOf(fk)
      if (focused !== k) {
        ws.send(JSON.stringify({ type: 'focus', field: fk }))
        focused = k
      }
      const mark = encodeMark(id, t)
      const chunk = mark + text.slice(mark.length)
      const value = mode === 'map' ? chunk : (values.get(k) ?? '') + chunk
      values.set(k, value)
      ws.send(JSON.stringify({ type: 'draft', field: fk, value }))
    },
    onRemoteEdit (fn) { cb = fn },
    digest () {
      return [...values.entries()].sort(([a], [b]) => a < b ? -1 : 1).map(([k, v]) => `${k}=${v}`).join('\u0000')
    },
    stats () { return { disconnects, refused, connection } },
    close () { closedByUs = true; stopPinging(); try { ws.close(1000) } catch {} }
  }
}

// For tools that drive the committed path (committed.mjs): the same sign-in and room → PEP mapping.
export { session, pepFor, api, httpBase, CFG, fieldKey, keyOf }

export default { name, description, versions, startServer, connect }
