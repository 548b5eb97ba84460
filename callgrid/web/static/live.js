// The supervisor home: engine state and events from the WebSocket /ws/live.
"use strict";
(function () {
  const MAX_EVENTS = 30;

  function text(id, value) {
    document.getElementById(id).textContent = value === undefined || value === null ? "—" : String(value);
  }

  function showState(state) {
    text("calls-active", state.calls && state.calls.active);
    text("calls-served", state.calls && state.calls.served);
    text("ami-link", state.ami ? (state.ami.connected ? "up" : "down") : "off");
    text("ami-reconnects", state.ami && state.ami.reconnects);
    const list = document.getElementById("errors");
    list.replaceChildren(...(state.errors || []).map(function (error) {
      const item = document.createElement("li");
      item.textContent = error.at + " " + error.source + ": " + error.message;
      return item;
    }));
  }

  function showEvent(message) {
    const list = document.getElementById("events");
    const item = document.createElement("li");
    item.textContent = new Date().toLocaleTimeString() + " " + message.topic + " " + JSON.stringify(message.data);
    list.prepend(item);
    while (list.children.length > MAX_EVENTS) list.lastElementChild.remove();
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    const socket = new WebSocket(scheme + location.host + "/ws/live");
    const link = document.getElementById("link");
    socket.onopen = function () { link.textContent = "live"; link.classList.add("live"); };
    socket.onmessage = function (received) {
      const message = JSON.parse(received.data);
      if (message.topic === "engine.state") showState(message.data); else showEvent(message);
    };
    socket.onclose = function () {
      link.textContent = "reconnecting…";
      link.classList.remove("live");
      setTimeout(connect, 3000);
    };
  }

  document.addEventListener("DOMContentLoaded", connect);
})();
