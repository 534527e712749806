// Where the officer is inside the Clients and Applications sections. Screens ask the shell to go
// somewhere with `go(route)`; nothing else moves between screens.
export type Route =
  | { kind: "clients" }
  | { kind: "client"; id: string }
  | { kind: "client-new"; iin: string }
  | { kind: "client-edit"; id: string }
  | { kind: "applications" }
  | { kind: "application"; id: string }
  | { kind: "application-new"; clientId: string }
  | { kind: "application-edit"; id: string };

export type Go = (route: Route) => void;
