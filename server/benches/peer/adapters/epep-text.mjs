// Adapter: our app's shared text, durable (issue 14). The typist's edit goes as the page sends it
// while the channel is up: `{"type":"edit_text", field, base, op, edit_id}` on `GET /live/pep/{pep_id}`,
// which the server applies, stores (the field's text, the edit and its id, the PEP's revision, in
// one transaction) and only then answers (`text_edit_answered`) and tells the room; every page
// hears it as `changed.text_edits` and merges it. So the latency measured is send → stored → fanned out →
// seen, against y-websocket's in-memory relay.
//
// The edit appends the harness's 20 characters (`~<id36>.<tus36>:` then filler) at the end of the
// field: `[len, "chunk"]` in the wire form of `TextOp`. Like the page, a typist has one edit in
// flight; what it types meanwhile is joined into the next one (each chunk keeps its own marker, so
// every harness edit is still seen). It knows the field's length and version from the edits the
// channel brings (its own included), as the page does; a `retry` goes again, a `resync` starts from
// the text it sends. The server, the PEPs, the person and the pings are those of `epep.mjs`.
import epep, { session, pepFor, httpBase, fieldKey, keyOf, openLive } from './epep.mjs'

const MARK_G = /~([0-9a-z]+)\.([0-9a-z]+):/g
const encodeMark = (id, t) => `~${id.toString(36)}.${Math.round(t * 1000).toString(36)}:`

const totals = { outcomes: {}, failures: 0 }
process.on('exit', () => {
  process.stderr.write(`[epep-text adapter] edit answers ${JSON.stringify(totals.outcomes)}; failed requests ${totals.failures}\n`)
})

let nextEdit = 0

export async function connect (room, clientId, ctx) {
  const { url, openTimeoutMs = 30000 } = ctx
  const base = httpBase(url)
  const cookie = await session(base)
  const pepId = pepFor(room)
  // field key -> { length, version, text (kept only for the digest) }
  const fields = new Map()
  const field = k => {
    if (!fields.has(k)) fields.set(k, { length: 0, version: 0, text: '' })
    return fields.get(k)
  }
  // field key -> { pending: chunks typed while an edit is in flight, inFlight: edit id }
  const typing = new Map()
  let cb = () => {}
  let disconnects = 0
  let closedByUs = false

  const apply = (f, op) => {
    let at = 0
    let out = ''
    for (const part of op) {
      if (typeof part === 'string') out += part
      else if (part > 0) { out += f.text.slice(at, at + part); at += part } else at += -part
    }
    f.text = out + f.text.slice(at)
    f.length = f.text.length
  }
  const send = (fk) => {
    const k = keyOf(fk)
    const t = typing.get(k)
    if (!t || t.inFlight || t.pending.length === 0) return
    const f = field(k)
    const chunk = t.pending.join('')
    t.pending = []
    const id = `bench-${process.pid}-${clientId}-${nextEdit++}`
    t.inFlight = id
    t.sent = chunk
    t.fk = fk
    const op = f.length > 0 ? [f.length, chunk] : [chunk]
    const message = { type: 'edit_text', field: fk, base: f.version, op, edit_id: id }
    t.attempt = () => ws.send(JSON.stringify(message))
    t.attempt()
  }

  // The channel's answer to this page's edit: accepted ones are acknowledged when the channel
  // brings them (the field's length follows from it); a retry goes again, a resync starts from
  // the text it sends, a refusal drops the edit.
  const onAnswer = (msg) => {
    const outcome = msg.answer?.outcome
    totals.outcomes[outcome] = (totals.outcomes[outcome] ?? 0) + 1
    for (const [k, t] of typing) {
      if (t.inFlight !== msg.edit_id) continue
      const f = field(k)
      if (outcome === 'retry') t.attempt()
      else if (outcome === 'resync') {
        f.text = msg.answer.text; f.length = f.text.length; f.version = msg.answer.version
        t.inFlight = null; t.pending.unshift(t.sent); send(t.fk)
      } else if (outcome !== 'accepted') {
        totals.failures++
        t.inFlight = null
      }
    }
  }

  const onMessage = msg => {
    if (msg.type === 'text_edit_answered') return onAnswer(msg)
    if (msg.type !== 'changed') return
    for (const changed of msg.fields ?? []) {
      const f = field(keyOf(changed.field))
      // A field this page has not followed edit by edit (the catch-up at connect).
      if (changed.version > f.version && !(msg.text_edits ?? []).some(e => keyOf(e.field) === keyOf(changed.field))) {
        f.text = changed.value; f.length = f.text.length; f.version = changed.version
      }
    }
    for (const edit of msg.text_edits ?? []) {
      const k = keyOf(edit.field)
      const f = field(k)
      if (edit.version !== f.version + 1) continue // already here
      apply(f, edit.op)
      f.version = edit.version
      const t = typing.get(k)
      if (t && t.inFlight === edit.edit_id) {
        t.inFlight = null
        send(edit.field)
      } else {
        for (const part of edit.op) {
          if (typeof part !== 'string') continue
          for (const m of part.matchAll(MARK_G)) cb({ id: parseInt(m[1], 36), t: parseInt(m[2], 36) / 1000 })
        }
      }
    }
  }
  const { ws, stopPinging } = await openLive({ url, pepId, cookie, clientId, openTimeoutMs, onMessage })
  ws.on('close', () => { if (!closedByUs) disconnects++ })
  let lastTyped = null

  return {
    sendEdit ({ id, t, field: name, text }) {
      const fk = fieldKey(name)
      const k = keyOf(fk)
      if (lastTyped !== k) {
        ws.send(JSON.stringify({ type: 'typing', field: fk, paragraph: 1 }))
        lastTyped = k
      }
      const mark = encodeMark(id, t)
      if (!typing.has(k)) typing.set(k, { pending: [], inFlight: null })
      typing.get(k).pending.push(mark + text.slice(mark.length))
      send(fk)
    },
    onRemoteEdit (fn) { cb = fn },
    digest () {
      return [...fields.entries()].sort(([a], [b]) => a < b ? -1 : 1).map(([k, f]) => `${k}=${f.text}`).join('\u0000')
    },
    stats () { return { disconnects } },
    close () { closedByUs = true; stopPinging(); try { ws.close(1000) } catch {} }
  }
}

export default {
  name: 'epep-text',
  description: 'ePEP shared text: each edit sent on /live/pep/{id} (edit_text), stored in SQLite before it is answered, fanned out as changed.text_edits',
  versions: epep.versions,
  startServer: epep.startServer,
  connect
}
