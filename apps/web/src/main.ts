// The demo's composition root: an offline-first group chat on a weft browser peer.
// The relay comes from ?relay=MULTIADDR, else from /relay.json (written by `npm start`).
import { createBrowserPeer } from '@weft/mesh/browser'
import type { BrowserPeer } from '@weft/mesh/browser'
import type { Connection } from '@libp2p/interface'
import type { DeliveredMessage, TopicHandle } from '@weft/mesh'

interface ChatLine { id: string, author: string, seq: number, name: string, text: string, own: boolean, state: string }

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T
let lines: ChatLine[] = []
const ownState = new Map<number, string>()
let lab: BrowserPeer | undefined
let topic: TopicHandle | undefined

function showError (text: string | undefined): void {
  $('error').hidden = text === undefined
  $('error').textContent = text ?? ''
}

async function relayAddress (): Promise<string> {
  const fromQuery = new URLSearchParams(location.search).get('relay')
  if (fromQuery !== null && fromQuery !== '') return fromQuery
  const res = await fetch('/relay.json').catch(() => undefined)
  if (res?.ok !== true) throw new Error('no relay address: open this page with ?relay=MULTIADDR, or start it with `npm start`')
  return ((await res.json()) as { addr: string }).addr
}

function render (): void {
  const list = $('messages')
  list.replaceChildren(...lines.map(l => {
    const li = document.createElement('li')
    li.className = l.own ? 'own' : ''
    li.dataset.testid = 'message'
    li.dataset.author = l.author
    li.dataset.seq = String(l.seq)
    const who = document.createElement('span')
    who.className = 'who'
    who.textContent = l.own ? `${l.name} (me)` : l.name
    const text = document.createElement('span')
    text.className = 'text'
    text.textContent = l.text
    li.append(who, text)
    if (l.own) {
      const st = document.createElement('span')
      st.className = `state ${l.state.startsWith('acked') ? 'acked' : ''}`
      st.dataset.testid = 'state'
      st.textContent = ownState.get(l.seq) ?? l.state
      li.append(st)
    }
    return li
  }))
  $('outbox').textContent = String(topic?.outbox.length ?? 0)
}

/** How a connection reaches its peer, as a person would say it. */
function connectionKind (c: Connection): string {
  const addr = c.remoteAddr.toString()
  return c.limits !== undefined ? 'via relay' : addr.includes('/webrtc') ? 'direct WebRTC' : addr.includes('/ws') ? 'WebSocket' : 'other'
}

function renderPeers (): void {
  if (lab === undefined) return
  const items = lab.peer.libp2p.getConnections().map(c => {
    const kind = connectionKind(c)
    const li = document.createElement('li')
    li.dataset.testid = 'peer'
    li.dataset.kind = kind
    li.textContent = `${c.remotePeer.toString().slice(-10)}: ${kind}`
    return li
  })
  $('peers').replaceChildren(...items)
}

/** The chat history is the app's own state: kept in localStorage per room (weft delivers each message once). */
let historyKey = ''
/** Deliveries of a message already shown (counted, for the end-to-end tests). */
let redelivered = 0
/** Deliveries weft has recorded as done (`delivery:persisted`): those are never delivered again. */
let persisted = 0
function saveHistory (): void {
  if (historyKey !== '') localStorage.setItem(historyKey, JSON.stringify(lines.slice(-500)))
}

function onMessage (m: DeliveredMessage): void {
  // Across a reload weft may deliver again what a handler saw but whose delivery it had not yet
  // persisted (at-least-once across a crash): the history is keyed by message id.
  if (lines.some(l => l.id === m.id)) {
    redelivered++
    return
  }
  let body: { name?: string, text?: string } = {}
  try {
    body = m.json()
  } catch {
    body = { text: m.text() ?? `<${m.payload.length} bytes>` }
  }
  lines.push({ id: m.id, author: m.author, seq: m.seq, name: body.name ?? m.author.slice(-6), text: body.text ?? '', own: m.own, state: ownState.get(m.seq) ?? 'queued' })
  saveHistory()
  render()
}

async function join (name: string, room: string): Promise<void> {
  localStorage.setItem('weft-demo', JSON.stringify({ name, room }))
  const relay = await relayAddress()
  const startOffline = sessionStorage.getItem('weft-demo-offline') === '1'
  lab = await createBrowserPeer({ network: 'weft', bootstrap: [relay], dbName: 'weft-demo', startOffline })
  const peer = lab.peer
  if (lab.persisted !== true) {
    $('warning').hidden = false
    $('warning').textContent = 'This browser did not grant persistent storage: it may clear your unsent messages under storage pressure.'
  }
  const setState = (seq: number, state: string): void => {
    ownState.set(seq, state)
    for (const l of lines) if (l.own && l.seq === seq) l.state = state
    saveHistory()
    render()
  }
  peer.addEventListener('message:queued', e => { if (e.detail.topic === room) setState(e.detail.seq, 'queued') })
  peer.addEventListener('message:sent', e => { if (e.detail.topic === room && !(ownState.get(e.detail.seq) ?? '').startsWith('acked')) setState(e.detail.seq, 'sent') })
  peer.addEventListener('message:acked', e => { if (e.detail.topic === room) setState(e.detail.seq, `acked by ${e.detail.peers.length}`) })
  peer.addEventListener('delivery:persisted', e => { if (e.detail.topic === room) persisted += e.detail.entries.length })
  // For a person, "direct" means peer to peer (WebRTC); a link to the relay alone is "relayed".
  const badge = (): void => {
    const conns = peer.libp2p.getConnections()
    const state = peer.offline ? 'offline' : conns.length === 0 ? 'connecting' : conns.some(c => c.limits === undefined && c.remoteAddr.toString().includes('/webrtc')) ? 'direct' : 'relayed'
    $('conn').textContent = state
    $('conn').className = `badge ${state}`
    renderPeers()
  }
  peer.addEventListener('connection:state', badge)
  peer.libp2p.addEventListener('connection:open', badge)
  peer.libp2p.addEventListener('connection:close', badge)
  badge()
  peer.addEventListener('error', e => { showError(e.detail.error.name === 'StorageFullError' ? 'Storage is full: free some space; nothing already written is lost.' : e.detail.error.message) })
  peer.libp2p.addEventListener('connection:open', renderPeers)
  peer.libp2p.addEventListener('connection:close', renderPeers)
  setTimeout(() => { if (peer.libp2p.getConnections().length === 0 && !peer.offline) showError(`Cannot reach the relay at ${relay}: messages wait in your outbox until it is back.`) }, 5000)
  peer.libp2p.addEventListener('connection:open', () => showError(undefined))
  topic = await peer.topic(room)
  historyKey = `weft-demo-history:${peer.me}:${room}`
  lines = JSON.parse(localStorage.getItem(historyKey) ?? '[]') as ChatLine[]
  const unacked = new Map(topic.outbox.map(e => [e.seq, e.attempts > 0 ? 'sent' : 'queued']))
  for (const l of lines) if (l.own) ownState.set(l.seq, unacked.get(l.seq) ?? (l.state.startsWith('acked') ? l.state : 'acked'))
  render()
  topic.subscribe(onMessage)
  $('me').textContent = peer.me
  $('room-name').textContent = `#${room}`
  $('join').hidden = true
  $('chat').hidden = false
  const toggle = $<HTMLButtonElement>('offline-toggle')
  toggle.disabled = false
  toggle.textContent = peer.offline ? 'go online' : 'go offline'
  toggle.onclick = () => {
    const goingOffline = !peer.offline
    toggle.textContent = goingOffline ? 'go online' : 'go offline'
    sessionStorage.setItem('weft-demo-offline', goingOffline ? '1' : '0') // survives a reload of this tab
    void peer.setOffline(goingOffline)
  }
}

$('join').addEventListener('submit', (e) => {
  e.preventDefault()
  const name = $<HTMLInputElement>('name').value.trim()
  const room = $<HTMLInputElement>('room').value.trim()
  join(name, room).catch((err: Error) => showError(err.message))
})

$('composer').addEventListener('submit', (e) => {
  e.preventDefault()
  const input = $<HTMLInputElement>('compose')
  const text = input.value.trim()
  if (text === '' || topic === undefined) return
  input.value = ''
  const name = $<HTMLInputElement>('name').value.trim()
  topic.publish(JSON.stringify({ name, text }), { contentType: 'application/json' }).catch((err: Error) => {
    showError(err.name === 'StorageFullError' ? 'Storage is full: this message was not saved. Free some space and send it again.' : err.message)
  })
})

// Rejoin after a reload with the same name and room.
const saved = JSON.parse(localStorage.getItem('weft-demo') ?? 'null') as { name: string, room: string } | null
if (saved !== null) {
  $<HTMLInputElement>('name').value = saved.name
  $<HTMLInputElement>('room').value = saved.room
  join(saved.name, saved.room).catch((err: Error) => showError(err.message))
}

Object.assign(globalThis, {
  weftDemo: {
    state: () => ({
      connection: $('conn').textContent,
      messages: lines.map(l => ({ author: l.author, seq: l.seq, name: l.name, text: l.text, own: l.own, state: l.own ? ownState.get(l.seq) ?? l.state : undefined })),
      outbox: topic?.outbox.length ?? 0,
      redelivered,
      persisted,
      peers: lab?.peer.libp2p.getConnections().map(c => ({ peer: c.remotePeer.toString(), kind: connectionKind(c) })) ?? []
    })
  }
})
