// The operator's desk: the card of the customer calling pops up as the phone rings, and
// the call answered can be transferred; once it ends, after-call work until Ready.
"use strict";
(function () {
  function line(list, term, value) {
    const dt = document.createElement("dt");
    dt.textContent = term;
    const dd = document.createElement("dd");
    dd.textContent = value === null || value === undefined ? "—" : String(value);
    list.append(dt, dd);
    return dd;
  }

  function show(ring) {
    document.getElementById("ringing").hidden = false;
    document.getElementById("ringing-caller").textContent = ring.caller || "a hidden number";
    document.getElementById("ringing-queue").textContent = "(" + ring.queue + ")";
    const cards = document.getElementById("ringing-cards");
    if (!ring.customers.length) {
      const none = document.createElement("p");
      none.textContent = "No customer has this number: ask for the account.";
      cards.replaceChildren(none);
      return;
    }
    cards.replaceChildren(...ring.customers.map(function (customer) {
      const card = document.createElement("article");
      card.className = "popped-card";
      const title = document.createElement("h3");
      const link = document.createElement("a");
      link.href = customer.card;
      link.textContent = customer.name + " · " + customer.number + (customer.vip ? " · VIP" : "");
      title.appendChild(link);
      const facts = document.createElement("dl");
      line(facts, "Address", customer.address);
      line(facts, "Debt", customer.debt + " ₽" + (customer.due_date ? ", due " + customer.due_date : ""))
        .className = "popped-debt";
      card.append(title, facts);
      return card;
    }));
  }

  function onCall(call) {
    // The call the operator talks on now, which the Transfer form names; none: hidden.
    document.getElementById("my-call").hidden = !call.uniqueid;
    document.getElementById("call-uniqueid").value = call.uniqueid;
    document.getElementById("call-caller").textContent = call.caller || "a hidden number";
    document.getElementById("call-queue").textContent = call.queue ? "(" + call.queue + ")" : "";
    // A call ended: after-call work until Ready (a reload shows the state as stored).
    const work = document.getElementById("after-call-work");
    if (work) work.hidden = Boolean(call.uniqueid);
    document.getElementById("my-state").textContent = call.uniqueid ? "talking" : "after_call_work";
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    const socket = new WebSocket(scheme + location.host + "/ws/desk");
    const status = document.getElementById("link");
    socket.onopen = function () { status.textContent = "live"; };
    socket.onmessage = function (received) {
      const message = JSON.parse(received.data);
      if (message.topic === "callcenter.connected") {
        onCall(message.data);
      } else {
        show(message.data);
      }
    };
    socket.onclose = function () { status.textContent = "reconnecting"; setTimeout(connect, 2000); };
  }

  document.addEventListener("DOMContentLoaded", connect);
})();
