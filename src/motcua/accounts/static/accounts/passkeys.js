// Security keys and passkeys (WebAuthn) on the second-factor step and on the page of one's keys
// (accounts/second_factor.html, accounts/security_keys.html; docs/security.md "Second factor for staff").
// The server gives the options (motcua.accounts.passkeys, py_webauthn) and verifies the answer; this script only
// carries them between it and navigator.credentials, turning the binary fields into base64url and back. Without
// JavaScript, or in a browser without WebAuthn, the page keeps saying so and the authenticator app's code works.
(function () {
  "use strict";
  var root = document.querySelector("[data-webauthn]");
  if (!root || !window.PublicKeyCredential || !navigator.credentials || !window.fetch) { return; }
  var mode = root.getAttribute("data-webauthn");
  var on = root.querySelector(".webauthn-on");
  var off = root.querySelector(".webauthn-off");
  var errorBox = root.querySelector("[data-webauthn-error]");
  var busy = root.querySelector(".webauthn-busy");
  var csrfInput = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (!on || !errorBox || !csrfInput) { return; }
  var csrf = csrfInput.value;
  var words = {
    cancelled: root.getAttribute("data-msg-cancelled") || "",
    failed: root.getAttribute("data-msg-failed") || "",
    duplicate: root.getAttribute("data-msg-duplicate") || ""
  };
  if (off) { off.hidden = true; }
  on.hidden = false;

  function fromB64url(text) {
    var b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) { b64 += "="; }
    var raw = window.atob(b64);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { bytes[i] = raw.charCodeAt(i); }
    return bytes.buffer;
  }

  function toB64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var raw = "";
    for (var i = 0; i < bytes.length; i++) { raw += String.fromCharCode(bytes[i]); }
    return window.btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function descriptors(list) {
    return (list || []).map(function (d) { return {type: d.type, id: fromB64url(d.id), transports: d.transports}; });
  }

  function say(message) {
    errorBox.textContent = message || "";
  }

  function waiting(yes) {
    if (busy) { busy.hidden = !yes; }
    var buttons = root.querySelectorAll("button");
    for (var i = 0; i < buttons.length; i++) { buttons[i].disabled = yes; }
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf},
      body: JSON.stringify(body || {})
    }).then(function (r) {
      return r.json().catch(function () { return {error: {message: words.failed}}; });
    });
  }

  // An answer of the server: go where it says, or show its message (in the person's language).
  function settle(data) {
    if (data && data.redirect) { window.location.assign(data.redirect); return true; }
    say(data && data.error ? data.error.message : words.failed);
    return false;
  }

  function browserError(err) {
    if (err && err.name === "InvalidStateError") { return words.duplicate; }
    if (err && (err.name === "NotAllowedError" || err.name === "AbortError")) { return words.cancelled; }
    return words.failed;
  }

  function register(name) {
    return post(root.getAttribute("data-options-url")).then(function (data) {
      if (!data.publicKey) { settle(data); return null; }
      var o = data.publicKey;
      o.challenge = fromB64url(o.challenge);
      o.user.id = fromB64url(o.user.id);
      o.excludeCredentials = descriptors(o.excludeCredentials);
      return navigator.credentials.create({publicKey: o}).then(function (cred) {
        var r = cred.response;
        return post(root.getAttribute("data-submit-url"), {name: name, credential: {
          id: cred.id, rawId: toB64url(cred.rawId), type: cred.type,
          authenticatorAttachment: cred.authenticatorAttachment || undefined,
          clientExtensionResults: cred.getClientExtensionResults ? cred.getClientExtensionResults() : {},
          response: {
            clientDataJSON: toB64url(r.clientDataJSON), attestationObject: toB64url(r.attestationObject),
            transports: r.getTransports ? r.getTransports() : []
          }
        }}).then(settle);
      }, function (err) { say(browserError(err)); });
    });
  }

  function authenticate() {
    return post(root.getAttribute("data-options-url")).then(function (data) {
      if (!data.publicKey) { settle(data); return null; }
      var o = data.publicKey;
      o.challenge = fromB64url(o.challenge);
      o.allowCredentials = descriptors(o.allowCredentials);
      return navigator.credentials.get({publicKey: o}).then(function (cred) {
        var r = cred.response;
        return post(root.getAttribute("data-submit-url"), {next: root.getAttribute("data-next") || "", credential: {
          id: cred.id, rawId: toB64url(cred.rawId), type: cred.type,
          authenticatorAttachment: cred.authenticatorAttachment || undefined,
          clientExtensionResults: cred.getClientExtensionResults ? cred.getClientExtensionResults() : {},
          response: {
            clientDataJSON: toB64url(r.clientDataJSON), authenticatorData: toB64url(r.authenticatorData),
            signature: toB64url(r.signature), userHandle: r.userHandle ? toB64url(r.userHandle) : null
          }
        }}).then(settle);
      }, function (err) { say(browserError(err)); });
    });
  }

  function run(ceremony) {
    say("");
    waiting(true);
    ceremony().catch(function () { say(words.failed); }).then(function () { waiting(false); });
  }

  if (mode === "create") {
    var form = on.tagName === "FORM" ? on : on.querySelector("form");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var name = form.querySelector("input[name=name]");
      run(function () { return register(name ? name.value : ""); });
    });
  } else {
    var start = root.querySelector("[data-webauthn-start]");
    if (start) { start.addEventListener("click", function () { run(authenticate); }); }
  }
})();
