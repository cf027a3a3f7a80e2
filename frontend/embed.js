/*
 * Consentry embed loader: put a Consentry form on any website.
 *
 *   <script src="https://consentry.example.com/embed/embed.js" async></script>
 *   <consentry-form form="FORM_ID" server="https://consentry.example.com" lang="zh-CN"></consentry-form>
 *
 * Attributes: `form` (the form's id), `server` (the Consentry origin; defaults to the
 * origin this script was loaded from) and `lang` (`zh-CN` or `en`; optional).
 *
 * The element shows the form in an iframe from the Consentry server, so the website never
 * sees the answers. The form's own settings must list this website's origin, or the
 * server refuses to be framed. The iframe tells us its height, so it never scrolls, and
 * when a submission is confirmed the element fires a `consentry:submitted` DOM event
 * whose `detail.receiptId` is the receipt number (listen with addEventListener).
 *
 * Messages are accepted only from the iframe itself, at the server's origin.
 * Plain JavaScript, no build step; the page's CSP must allow this script and frame-src
 * for the server.
 */
(function () {
  "use strict";
  if (!window.customElements || window.customElements.get("consentry-form")) {
    return;
  }

  var scriptOrigin = (function () {
    try {
      return document.currentScript ? new URL(document.currentScript.src).origin : "";
    } catch (e) {
      return "";
    }
  })();

  function originOf(url) {
    try {
      return new URL(url).origin;
    } catch (e) {
      return "";
    }
  }

  class ConsentryForm extends HTMLElement {
    static get observedAttributes() {
      return ["form", "server", "lang"];
    }

    constructor() {
      super();
      this._frame = null;
      this._onMessage = this._onMessage.bind(this);
    }

    connectedCallback() {
      window.addEventListener("message", this._onMessage);
      this._render();
    }

    disconnectedCallback() {
      window.removeEventListener("message", this._onMessage);
    }

    attributeChangedCallback() {
      if (this.isConnected) {
        this._render();
      }
    }

    get _server() {
      return originOf(this.getAttribute("server") || scriptOrigin);
    }

    _render() {
      var form = this.getAttribute("form");
      var server = this._server;
      if (!form || !server) {
        return;
      }
      var lang = this.getAttribute("lang") || document.documentElement.lang || "";
      var src = server + "/f/" + encodeURIComponent(form) + (lang ? "?lang=" + encodeURIComponent(lang) : "");
      if (this._frame && this._frame.getAttribute("src") === src) {
        return;
      }
      var frame = document.createElement("iframe");
      frame.setAttribute("src", src);
      frame.setAttribute("title", this.getAttribute("title") || (lang.indexOf("zh") === 0 ? "信息收集表单" : "Form"));
      frame.setAttribute("scrolling", "no");
      frame.setAttribute("referrerpolicy", "strict-origin");
      frame.style.width = "100%";
      frame.style.border = "0";
      frame.style.display = "block";
      frame.style.overflow = "hidden";
      frame.style.height = "480px";
      this.textContent = "";
      this.appendChild(frame);
      this._frame = frame;
    }

    _onMessage(event) {
      if (!this._frame || event.origin !== this._server || event.source !== this._frame.contentWindow) {
        return;
      }
      var data = event.data;
      if (!data || typeof data !== "object") {
        return;
      }
      if (data.type === "consentry:height" && typeof data.height === "number" && data.height > 0) {
        this._frame.style.height = Math.ceil(data.height) + "px";
      } else if (data.type === "consentry:submitted" && typeof data.receiptId === "string") {
        this.dispatchEvent(new CustomEvent("consentry:submitted", {
          bubbles: true,
          composed: true,
          detail: { receiptId: data.receiptId }
        }));
      }
    }
  }

  window.customElements.define("consentry-form", ConsentryForm);
})();
