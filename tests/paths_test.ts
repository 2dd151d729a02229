/** The repository's paths (lib/paths.ts): how a path is shown on a page or in a log. */
import { assertEquals } from "@std/assert";
import { displayPath, REPO_ROOT } from "../lib/paths.ts";

Deno.test("displayPath: the repository relative, CEN_* folders by name, others as given", () => {
  assertEquals(displayPath(`${REPO_ROOT}/results/runs/abc`), "results/runs/abc");
  assertEquals(displayPath(REPO_ROOT), ".");
  const before = Deno.env.get("CEN_TEST_DATA_DIR");
  Deno.env.set("CEN_TEST_DATA_DIR", "/srv/faces");
  try {
    assertEquals(displayPath("/srv/faces/images/1_0_0.jpg"), "$CEN_TEST_DATA_DIR/images/1_0_0.jpg");
    assertEquals(displayPath("/srv/faces"), "$CEN_TEST_DATA_DIR");
    assertEquals(displayPath("/srv/faces-2/x"), "/srv/faces-2/x");
    Deno.env.set("CEN_TEST_DATA_DIR", `${REPO_ROOT}/data`); // the more specific folder wins
    assertEquals(displayPath(`${REPO_ROOT}/data/x`), "$CEN_TEST_DATA_DIR/x");
  } finally {
    if (before === undefined) Deno.env.delete("CEN_TEST_DATA_DIR");
    else Deno.env.set("CEN_TEST_DATA_DIR", before);
  }
});
