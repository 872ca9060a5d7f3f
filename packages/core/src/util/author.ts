/**
 * Author identities. An author is an Ed25519 key; its id is the libp2p peer id
 * string of that key (base58btc of the identity multihash, "12D3KooW…"), so the
 * same string names the author in weft and the peer in libp2p.
 */
import { base58 } from '@scure/base'
import { AUTHOR_TAG_BYTES, PUBLIC_KEY_BYTES } from '../constants.ts'
import { InvalidArgumentError } from '../errors.ts'
import { BoundedMap } from './lru.ts'
import { toHex } from './bytes.ts'

/** The libp2p peer id string of an author's Ed25519 key. */
export type AuthorId = string

/** 16 hex characters: the first 8 bytes of an author key, as dependency references carry it. */
export type AuthorTag = string

// identity multihash (0x00, length 36) of the libp2p PublicKey protobuf { Type: Ed25519 (1), Data: 32 bytes }
const PEER_ID_PREFIX = Uint8Array.of(0x00, 0x24, 0x08, 0x01, 0x12, 0x20)
const idCache = new BoundedMap<string, AuthorId>(8_192)

/** The peer id string of a 32-byte Ed25519 public key. */
export function authorIdFromKey (publicKey: Uint8Array): AuthorId {
  if (publicKey.length !== PUBLIC_KEY_BYTES) throw new InvalidArgumentError('an author key has 32 bytes')
  const hex = toHex(publicKey)
  let id = idCache.get(hex)
  if (id === undefined) {
    const mh = new Uint8Array(PEER_ID_PREFIX.length + PUBLIC_KEY_BYTES)
    mh.set(PEER_ID_PREFIX)
    mh.set(publicKey, PEER_ID_PREFIX.length)
    id = base58.encode(mh)
    idCache.set(hex, id)
  }
  return id
}

/** The 32-byte key inside an Ed25519 peer id string; throws InvalidArgumentError for anything else. */
export function authorKeyFromId (author: AuthorId): Uint8Array {
  let bytes: Uint8Array
  try {
    bytes = base58.decode(author)
  } catch (err) {
    throw new InvalidArgumentError(`not a peer id: ${author.slice(0, 64)}`, { cause: err })
  }
  if (bytes.length !== PEER_ID_PREFIX.length + PUBLIC_KEY_BYTES ||
    !PEER_ID_PREFIX.every((b, i) => bytes[i] === b)) {
    throw new InvalidArgumentError(`not an Ed25519 peer id: ${author.slice(0, 64)}`)
  }
  return bytes.slice(PEER_ID_PREFIX.length)
}

/** The tag of an author key (its first 8 bytes, hex). */
export function tagOfKey (publicKey: Uint8Array): AuthorTag {
  return toHex(publicKey.subarray(0, AUTHOR_TAG_BYTES))
}

const tagCache = new BoundedMap<AuthorId, AuthorTag>(8_192)

/** The tag of an author id. */
export function tagOfAuthor (author: AuthorId): AuthorTag {
  let tag = tagCache.get(author)
  if (tag === undefined) {
    tag = tagOfKey(authorKeyFromId(author))
    tagCache.set(author, tag)
  }
  return tag
}
