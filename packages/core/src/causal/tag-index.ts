/**
 * Resolves the 8-byte author tags of dependency references to the authors
 * seen so far. Two authors can share a tag only if one was ground to collide
 * (~2^64 work against a given key); a dependency on a shared tag is met when
 * any of them reached the seq (docs/PROTOCOL.md, "Author tags").
 */
import { tagOfAuthor } from '../util/author.ts'
import type { AuthorId, AuthorTag } from '../util/author.ts'

const NONE: readonly AuthorId[] = []

export class TagIndex {
  readonly #byTag = new Map<AuthorTag, AuthorId[]>()
  readonly #known = new Set<AuthorId>()

  /** Records an author (idempotent). */
  add (author: AuthorId): void {
    if (this.#known.has(author)) return
    this.#known.add(author)
    const tag = tagOfAuthor(author)
    const list = this.#byTag.get(tag)
    if (list === undefined) this.#byTag.set(tag, [author])
    else list.push(author)
  }

  /** The authors known under `tag`; empty when none is known yet. */
  resolve (tag: AuthorTag): readonly AuthorId[] {
    return this.#byTag.get(tag) ?? NONE
  }
}
