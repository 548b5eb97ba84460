// The wallboard: queues (callers waiting live and callbacks keeping a place), operators
// and alerts from the WebSocket /ws/wallboard; each operator's time in state (as the
// engine counted it) counts on between two sets.
"use strict";
(function () {
  function cell(row, value) {
    const td = document.createElement("td");
    td.textContent = value === null || value === undefined ? "—" : String(value);
    row.appendChild(td);
    return td;
  }

  function inState(element) {
    const counted = Number(element.dataset.seconds) || 0;
    const received = Number(element.dataset.received) || Date.now();
    const seconds = Math.max(0, Math.round(counted + (Date.now() - received) / 1000));
    return seconds < 60 ? seconds + " s" : Math.floor(seconds / 60) + " min " + (seconds % 60) + " s";
  }

  function show(board) {
    document.getElementById("ami-link").textContent = board.link;
    document.getElementById("emergency").textContent = board.emergency.on ? "on" : "off";
    document.getElementById("wait-limit").textContent = board.emergency.wait_seconds;
    document.getElementById("alerts").replaceChildren(...board.alerts.map(function (alert) {
      const item = document.createElement("li");
      item.textContent = alert;
      return item;
    }));
    document.getElementById("queues").replaceChildren(...board.queues.map(function (queue) {
      const row = document.createElement("tr");
      row.dataset.queue = queue.queue;
      const level = queue.service_level === null ? null : Math.round(queue.service_level * 100) + " %";
      [queue.queue, queue.waiting, queue.kept_callbacks, queue.longest_wait_seconds,
        queue.taking_calls, queue.answered, queue.abandoned, level].forEach(function (value) {
        cell(row, value);
      });
      row.children[2].classList.add("kept-callbacks");
      return row;
    }));
    document.getElementById("operators").replaceChildren(...board.operators.map(function (operator) {
      const row = document.createElement("tr");
      row.dataset.login = operator.login;
      if (operator.over_limit) row.classList.add("over-limit");
      cell(row, operator.login);
      cell(row, operator.activity).classList.add("activity");
      cell(row, operator.reason);
      const since = cell(row, "");
      since.classList.add("in-state");
      since.dataset.seconds = operator.seconds;
      since.dataset.received = Date.now();
      since.textContent = inState(since);
      cell(row, operator.queues.join(", "));
      return row;
    }));
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    const socket = new WebSocket(scheme + location.host + "/ws/wallboard");
    const link = document.getElementById("link");
    socket.onopen = function () { link.textContent = "live"; };
    socket.onmessage = function (received) { show(JSON.parse(received.data).data); };
    socket.onclose = function () {
      link.textContent = "reconnecting";
      setTimeout(connect, 2000);
    };
  }

  document.addEventListener("DOMContentLoaded", function () {
    connect();
    setInterval(function () {
      document.querySelectorAll("#operators .in-state").forEach(function (element) {
        element.textContent = inState(element);
      });
    }, 1000);
  });
})();
