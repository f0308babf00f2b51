// Deploy Workbook quizzes: checked in the browser, answers never in the page.
//
// The page holds, per question (see crates/workbook/src/book/quiz.rs):
//   data-salt, data-qid  public inputs to every hash;
//   data-check           SHA-256("check\n" + salt + "\n" + qid + "\n" + answer);
//   data-sealed          the explanation's HTML, XORed with the keystream
//                        SHA-256(key || counter as 4 big-endian bytes), where
//                        key = SHA-256("key\n" + salt + "\n" + qid + "\n" + answer).
// A picked choice is right when its hash equals data-check, and then the same
// text is the key that unseals the explanation. Web Crypto needs a secure
// context; http://127.0.0.1 and http://localhost are one.
(function () {
    "use strict";

    const encoder = new TextEncoder();

    function hex(buffer) {
        return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
    }

    function unhex(text) {
        const bytes = new Uint8Array(text.length / 2);
        for (let i = 0; i < bytes.length; i++) {
            bytes[i] = parseInt(text.substr(i * 2, 2), 16);
        }
        return bytes;
    }

    function sha256(bytes) {
        return crypto.subtle.digest("SHA-256", bytes);
    }

    function material(label, form, choice) {
        return encoder.encode(label + "\n" + form.dataset.salt + "\n" + form.dataset.qid + "\n" + choice);
    }

    async function isRight(form, choice) {
        return hex(await sha256(material("check", form, choice))) === form.dataset.check;
    }

    async function unseal(form, choice) {
        const key = new Uint8Array(await sha256(material("key", form, choice)));
        const sealed = unhex(form.dataset.sealed);
        const out = new Uint8Array(sealed.length);
        for (let counter = 0; counter * 32 < sealed.length; counter++) {
            const input = new Uint8Array(36);
            input.set(key);
            new DataView(input.buffer).setUint32(32, counter);
            const pad = new Uint8Array(await sha256(input));
            for (let i = 0; i < 32 && counter * 32 + i < sealed.length; i++) {
                out[counter * 32 + i] = sealed[counter * 32 + i] ^ pad[i];
            }
        }
        return new TextDecoder().decode(out);
    }

    function say(form, kind, verdict, html) {
        const feedback = form.querySelector(".quiz-feedback");
        feedback.className = "quiz-feedback is-" + kind;
        feedback.innerHTML = "";
        const line = document.createElement("p");
        line.className = "quiz-verdict";
        line.textContent = verdict;
        feedback.appendChild(line);
        if (html) {
            // The explanation is HTML the book's own build produced.
            const body = document.createElement("div");
            body.innerHTML = html;
            feedback.appendChild(body);
        }
    }

    async function settle(form, input, verdict) {
        input.checked = true;
        input.closest(".quiz-choice").classList.add("is-right");
        say(form, "right", verdict, await unseal(form, input.value));
        for (const element of form.querySelectorAll("input, button")) {
            element.disabled = true;
        }
    }

    async function onCheck(form) {
        const picked = form.querySelector("input[type=radio]:checked");
        if (!picked) {
            say(form, "wrong", "Pick a choice first.");
            return;
        }
        if (await isRight(form, picked.value)) {
            await settle(form, picked, "Right.");
        } else {
            picked.closest(".quiz-choice").classList.add("is-wrong");
            picked.checked = false;
            say(form, "wrong", "Not this one. Think about who answers, and why, then try another.");
        }
    }

    async function onReveal(form) {
        // The same search anyone could do by hand: try every choice.
        for (const input of form.querySelectorAll("input[type=radio]")) {
            if (await isRight(form, input.value)) {
                await settle(form, input, "Here is the answer, marked above.");
                return;
            }
        }
        say(form, "wrong", "No choice matched; this quiz was built wrong. Please report it.");
    }

    function start() {
        const forms = document.querySelectorAll("form.quiz-question");
        if (forms.length === 0) {
            return;
        }
        if (!(window.crypto && crypto.subtle)) {
            for (const form of forms) {
                say(form, "wrong",
                    "Quizzes are checked with Web Crypto, which this page cannot use: open the book at " +
                    "http://127.0.0.1:3000 (cargo run -p workbook) rather than over the network.");
                for (const element of form.querySelectorAll("button")) {
                    element.disabled = true;
                }
            }
            return;
        }
        for (const form of forms) {
            form.addEventListener("submit", (event) => {
                event.preventDefault();
                onCheck(form);
            });
            form.querySelector(".quiz-reveal").addEventListener("click", () => onReveal(form));
        }
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", start);
    } else {
        start();
    }
})();
