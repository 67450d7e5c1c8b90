/// The page `tbdash demo --ingest` serves at `/`: a tiny shop whose buttons post events
/// to `/api/log` with `navigator.sendBeacon`, as a real front end would, so the dashboard
/// beside it counts every click.
enum DemoClickPage {
    static let html = #"""
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>tbdash demo shop</title>
        <style>
          body { font: 16px system-ui, sans-serif; margin: 2em; max-width: 44em; }
          .item { display: inline-block; border: 1px solid #ccc; border-radius: 8px; padding: 1em; margin: .4em; }
          button { margin: .2em; font-size: 14px; }
          #log { color: #555; font-family: monospace; white-space: pre; }
        </style></head>
        <body>
        <h1>tbdash demo shop</h1>
        <p>Each button posts one event to <code>POST /api/log</code> (navigator.sendBeacon); the
        dashboard in your terminal counts it as soon as Kafka has it.</p>
        <p>You are user <b id="user"></b>, age band <select id="age"></select>, gender
        <select id="gender"><option value="0">female</option><option value="1">male</option><option value="2" selected>unknown</option></select>,
        in <select id="province"></select>.</p>
        <div id="items"></div>
        <p><button id="burst">100 random events</button></p>
        <div id="log"></div>
        <script>
        const provinces = ["北京市","天津市","上海市","重庆市","河北","山西","辽宁","吉林","黑龙江","江苏","浙江","安徽","福建","江西","山东",
          "河南","湖北","湖南","广东","海南","四川","贵州","云南","陕西","甘肃","青海","台湾","内蒙古","广西","西藏","宁夏","新疆","香港","澳门"];
        const actions = ["view", "add to cart", "buy", "favourite"];
        const user = Number(localStorage.getItem("tbdash-user")) || Math.floor(Math.random() * 1e6) + 1;
        localStorage.setItem("tbdash-user", user);
        document.getElementById("user").textContent = user;
        for (let a = 0; a <= 8; a++) document.getElementById("age").add(new Option(a === 0 ? "unknown" : String(a), a));
        for (const p of provinces) document.getElementById("province").add(new Option(p, p));
        document.getElementById("province").value = "上海市";
        function event(item, action, who) {
          const now = new Date();
          return {user_id: who || user, item_id: item, cat_id: 100 + item % 7, merchant_id: 500 + item % 5, brand_id: null,
                  month: now.getMonth() + 1, day: now.getDate(), action: action,
                  age_range: Number(document.getElementById("age").value), gender: Number(document.getElementById("gender").value),
                  province: document.getElementById("province").value};
        }
        function post(events) {
          const ok = navigator.sendBeacon("/api/log", events.map(e => JSON.stringify(e)).join("\n"));
          document.getElementById("log").textContent = (ok ? "sent " : "NOT sent ") + events.length + " event(s)\n" + document.getElementById("log").textContent.slice(0, 400);
        }
        for (let item = 1; item <= 6; item++) {
          const box = document.createElement("div");
          box.className = "item";
          box.append("item " + item, document.createElement("br"));
          actions.forEach((name, action) => {
            const b = document.createElement("button");
            b.textContent = name;
            b.onclick = () => post([event(item, action)]);
            box.append(b);
          });
          document.getElementById("items").append(box);
        }
        document.getElementById("burst").onclick = () =>
          post(Array.from({length: 100}, () => event(1 + Math.floor(Math.random() * 6), Math.floor(Math.random() * 4), 1 + Math.floor(Math.random() * 1000))));
        </script>
        </body></html>
        """#
}
