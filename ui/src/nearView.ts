// Whether an element is within about a screen of what its scrolling box shows: the thumbnails
// are asked for only then, and the cards of a slot holding many files are rendered in full only
// then (issue 19: a 300-photo case must not keep 300 cards and pictures alive in the web view).
//
// Written by hand over IntersectionObserver rather than with a windowing library: those lay out
// one flat list of rows of known or measured height in a box of their own, where a case's files
// are in slots (each with its head, counts and buttons) inside the page's one scrolling box
// (`.app-main`, where the overview rail is sticky), each slot a grid whose columns follow the
// window's width. Here every card stays in the page in its place (its <li> and the button that
// opens it, so Tab order, the skip links and the screen reader's count are those of the whole
// list); only its contents come and go.

import { type RefObject, useEffect, useState } from 'react';

/** How far beyond the scrolling box's visible part counts as near: one box height each way. */
const NEAR_MARGIN = '100% 0px';

type Listener = (near: boolean) => void;

/** One observer per scrolling box, shared by every element watched in it. */
const observers = new WeakMap<Element, { observer: IntersectionObserver; listeners: Map<Element, Listener> }>();

/**
 * The closest ancestor that scrolls vertically (its overflow is auto or scroll), or null when
 * the document itself scrolls. It must be the observer's root: with the viewport as root, the
 * margin does not reach into a scrolling box, whose clip cuts everything outside what it shows.
 */
export function scrollingAncestor(element: Element): Element | null {
  for (let parent = element.parentElement; parent !== null; parent = parent.parentElement) {
    const overflow = getComputedStyle(parent).overflowY;
    if (overflow === 'auto' || overflow === 'scroll') return parent;
  }
  return null;
}

/** Calls `listener` with whether `element` is near the view, now and whenever that changes. */
export function watchNearView(element: Element, listener: Listener): () => void {
  if (typeof IntersectionObserver === 'undefined') {
    listener(true);
    return () => {};
  }
  const root = scrollingAncestor(element) ?? document.documentElement;
  let shared = observers.get(root);
  if (shared === undefined) {
    const listeners = new Map<Element, Listener>();
    const observer = new IntersectionObserver(
      (entries) => {
        for (const entry of entries) listeners.get(entry.target)?.(entry.isIntersecting);
      },
      { root: root === document.documentElement ? null : root, rootMargin: NEAR_MARGIN },
    );
    shared = { observer, listeners };
    observers.set(root, shared);
  }
  const { observer, listeners } = shared;
  listeners.set(element, listener);
  observer.observe(element);
  return () => {
    observer.unobserve(element);
    listeners.delete(element);
  };
}

/**
 * Whether the element in `ref` is near the view (always true when `watched` is false). Until the
 * observer first answers (the next frame) it is taken as far.
 */
export function useNearView(ref: RefObject<Element | null>, watched = true): boolean {
  const [near, setNear] = useState(!watched);
  useEffect(() => {
    const element = ref.current;
    if (!watched || element === null) {
      setNear(true);
      return;
    }
    return watchNearView(element, setNear);
  }, [ref, watched]);
  return near;
}
