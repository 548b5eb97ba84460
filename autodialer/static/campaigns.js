// A campaign's page: live figures from the WebSocket /ws/campaigns/{id}, the outcomes
// chart (Chart.js, from the page's JSON block), and the print button of a proof page.
"use strict";
(function () {
  const COLOURS = { positive: "#2b8a3e", negative: "#a4161a", unknown: "#868e96" };
  let chart = null;

  function datasets(data) {
    return Object.keys(data.outcomes).map(function (outcome) {
      return { label: outcome, data: data.outcomes[outcome], backgroundColor: COLOURS[outcome] };
    });
  }

  function drawChart(data) {
    const canvas = document.getElementById("outcomes-chart");
    if (!canvas || typeof Chart === "undefined") return;
    if (chart === null) {
      chart = new Chart(canvas, {
        type: "bar",
        data: { labels: data.labels, datasets: datasets(data) },
        options: {
          animation: false,
          aspectRatio: 3,
          scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
        },
      });
      return;
    }
    chart.data.labels = data.labels;
    chart.data.datasets = datasets(data);
    chart.update();
  }

  function text(id, value) {
    const element = document.getElementById(id);
    if (element) element.textContent = value === undefined || value === null ? "—" : String(value);
  }

  function showFigures(figures) {
    text("state", figures.state);
    text("attempted", figures.attempted);
    text("delivered", figures.delivered);
    text("pending", figures.pending);
    text("lines-busy", figures.lines_busy);
    const failed = document.getElementById("failed");
    const causes = Object.keys(figures.failed);
    failed.replaceChildren(...(causes.length ? causes : [null]).map(function (cause) {
      const item = document.createElement("li");
      item.textContent = cause === null ? "none" : cause + ": " + figures.failed[cause];
      return item;
    }));
    drawChart(figures.chart);
  }

  function connect(campaign) {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    const socket = new WebSocket(scheme + location.host + "/ws/campaigns/" + campaign);
    const link = document.getElementById("link");
    socket.onopen = function () { link.textContent = "live"; link.classList.add("live"); };
    socket.onmessage = function (received) {
      const message = JSON.parse(received.data);
      if (message.topic === "campaign.progress") showFigures(message.data);
    };
    socket.onclose = function () {
      link.textContent = "reconnecting…";
      link.classList.remove("live");
      setTimeout(function () { connect(campaign); }, 3000);
    };
  }

  document.addEventListener("DOMContentLoaded", function () {
    const live = document.getElementById("campaign-live");
    if (live) {
      drawChart(JSON.parse(document.getElementById("outcomes-data").textContent));
      connect(live.dataset.campaign);
    }
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  });
})();
