/* The messenger's live part: one WebSocket per tab. New messages appear in the open
   conversation and raise the unread count in the header; read receipts update. While the
   socket is down, window.evChatLive is false and HTMX polls instead (see the templates).
   Message text is only ever put into the page with textContent: never parsed as HTML. */
(function () {
  "use strict";
  var thread = document.getElementById("chat-thread");
  var delay = 1000;
  var socket = null;
  window.evChatLive = false;

  window.evChatLastSeq = function () {
    if (!thread) return 0;
    var items = thread.querySelectorAll("li[data-seq]");
    return items.length ? Number(items[items.length - 1].dataset.seq) : 0;
  };

  function badge() { return document.getElementById("chat-unread"); }

  function bump(by) {
    var b = badge();
    if (!b) return;
    var n = Math.max(0, Number(b.textContent || 0) + by);
    b.textContent = String(n);
    b.classList.toggle("zero", n === 0);
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function render(m) {
    var mine = m.side === thread.dataset.side;
    var li = el("li", "msg " + (mine ? "mine" : "theirs"));
    li.id = "m-" + m.id;
    li.dataset.seq = m.seq;
    if (m.kind === "image" && m.image) {
      var a = el("a"); a.href = m.image;
      var img = el("img"); img.src = m.image; img.alt = thread.dataset.lPhoto; img.loading = "lazy";
      a.appendChild(img); li.appendChild(a);
    } else if (m.card) {
      li.classList.add("card-msg");
      var card = el("a", "chat-card", m.card.title + (m.card.state ? " · " + m.card.state : ""));
      card.href = m.card.url; li.appendChild(card);
    } else {
      li.appendChild(el("p", "text", m.text));
    }
    var meta = el("span", "meta");
    if (m.auto_reply) meta.appendChild(document.createTextNode(thread.dataset.lAuto + " · "));
    var time = el("time", "", m.at_label); time.setAttribute("datetime", m.at);
    meta.appendChild(time);
    if (mine) {
      meta.appendChild(document.createTextNode(" · "));
      meta.appendChild(el("span", "receipt", thread.dataset.lUnread));
    } else if (!m.auto_reply) {
      meta.appendChild(document.createTextNode(" · "));
      var report = el("a", "", thread.dataset.lReport);
      report.href = "/messages/m/" + encodeURIComponent(m.id) + "/report/";
      meta.appendChild(report);
    }
    li.appendChild(meta);
    return li;
  }

  function onMessage(m) {
    var here = thread && thread.dataset.conversation === m.conversation;
    if (!here) {
      if (m.side !== m.for_side) bump(1);
      return;
    }
    if (document.getElementById("m-" + m.id)) return;  // already shown (sent from this tab)
    thread.appendChild(render(m));
    thread.lastElementChild.scrollIntoView({block: "end"});
    if (m.side !== thread.dataset.side) {
      // A person's answer means the other side has read what came before it.
      if (!m.auto_reply) onRead({conversation: m.conversation, side: m.side, seq: m.seq});
      send({type: "read", conversation: m.conversation});
    }
  }

  function onRead(r) {
    if (!thread || thread.dataset.conversation !== r.conversation) return;
    if (r.side === thread.dataset.side) return;
    thread.querySelectorAll("li.mine").forEach(function (li) {
      var receipt = li.querySelector(".receipt");
      if (receipt && Number(li.dataset.seq) <= r.seq) receipt.textContent = thread.dataset.lRead;
    });
  }

  function send(data) {
    if (socket && socket.readyState === 1) socket.send(JSON.stringify(data));
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss:" : "ws:";
    try { socket = new WebSocket(scheme + "//" + location.host + "/ws/messenger/"); }
    catch (e) { return; }
    socket.onopen = function () { window.evChatLive = true; delay = 1000; };
    socket.onmessage = function (event) {
      var data;
      try { data = JSON.parse(event.data); } catch (e) { return; }
      if (data.type === "message") onMessage(data);
      else if (data.type === "read") onRead(data);
    };
    socket.onclose = function (event) {
      window.evChatLive = false;
      if (event.code === 4401) return;  // not signed in: do not retry
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }

  if (thread) {
    if (thread.lastElementChild) thread.lastElementChild.scrollIntoView({block: "end"});
    // A message can arrive twice (the socket, then the form's own response): keep one.
    thread.addEventListener("htmx:afterSwap", function () {
      var seen = {};
      thread.querySelectorAll("li[id]").forEach(function (li) {
        if (seen[li.id]) li.remove(); else seen[li.id] = true;
      });
    });
  }
  if ("WebSocket" in window) connect();
  setInterval(function () { send({type: "ping"}); }, 60000);
})();
