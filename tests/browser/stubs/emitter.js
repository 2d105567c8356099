"use strict";
// What the stand-ins of the softphone's libraries share: an event emitter like the SDKs' own.
class StubEmitter {
  constructor() { this.handlers = {}; }
  on(event, fn) { (this.handlers[event] ||= []).push(fn); return this; }
  emit(event, ...args) { for (const fn of this.handlers[event] || []) fn(...args); }
}
