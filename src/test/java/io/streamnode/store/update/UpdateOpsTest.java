package io.streamnode.store.update;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.streamnode.function.FunctionException;
import io.streamnode.store.StreamStorage;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/** Behaviour of the stream::update op engine, checked against iii's engine/src/update_ops.rs. */
class UpdateOpsTest {

  private static final String DOC = "https://iii.dev/docs/workers/iii-state#error-codes";

  // ---------------------------------------------------------------- helpers

  /** Decodes any JSON text (object, array or scalar) into a Vert.x JSON value. */
  private static Object json(String text) {
    return new JsonArray("[" + text + "]").getValue(0);
  }

  private static UpdateOps.Outcome run(Object current, String opsJson) {
    return UpdateOps.parse(json(opsJson)).apply(current);
  }

  private static UpdateOps.Outcome run(String currentJson, String opsJson) {
    return run(json(currentJson), opsJson);
  }

  private static String err(int index, String code, String message) {
    return new JsonObject().put("op_index", index).put("code", code).put("message", message)
        .put("doc_url", DOC).encode();
  }

  private static String errs(String... entries) {
    return "[" + String.join(",", entries) + "]";
  }

  private static void assertOutcome(UpdateOps.Outcome out, String newValueJson, String errorsJson) {
    assertEquals(newValueJson, Json.encode(out.newValue()), "new value");
    assertEquals(errorsJson, out.errors().encode(), "errors");
  }

  private static void assertOk(UpdateOps.Outcome out, String newValueJson) {
    assertOutcome(out, newValueJson, "[]");
  }

  private static void assertBadInput(String opsJson, String reason) {
    FunctionException e = assertThrows(FunctionException.class, () -> UpdateOps.parse(json(opsJson)));
    assertEquals("deserialization_error", e.code());
    assertEquals("Failed to deserialize input for stream::update: " + reason, e.getMessage());
  }

  // ---------------------------------------------------------------- set

  @Test
  void setWritesTopLevelKey() {
    assertOk(run("{\"a\":1}", "[{\"type\":\"set\",\"path\":\"b\",\"value\":{\"x\":[1]}}]"),
        "{\"a\":1,\"b\":{\"x\":[1]}}");
  }

  @Test
  void setOverwritesExistingKey() {
    assertOk(run("{\"a\":1}", "[{\"type\":\"set\",\"path\":\"a\",\"value\":\"s\"}]"), "{\"a\":\"s\"}");
  }

  @Test
  void setWithoutValueStoresNull() {
    assertOk(run("{}", "[{\"type\":\"set\",\"path\":\"a\"}]"), "{\"a\":null}");
  }

  @Test
  void setEmptyPathReplacesWholeValue() {
    assertOk(run("{\"a\":1}", "[{\"type\":\"set\",\"path\":\"\",\"value\":[1,2]}]"), "[1,2]");
  }

  @Test
  void setEmptyPathWithoutValueReplacesRootWithNull() {
    assertOk(run("{\"\":\"empty-field\",\"keep\":true}", "[{\"type\":\"set\",\"path\":\"\"}]"), "null");
  }

  @Test
  void setDottedPathIsOneLiteralKey() {
    assertOk(run("{\"a\":{\"b\":1}}", "[{\"type\":\"set\",\"path\":\"a.b\",\"value\":2}]"),
        "{\"a\":{\"b\":1},\"a.b\":2}");
  }

  @Test
  void setOnNonObjectRootReportsTargetNotObject() {
    assertOutcome(run("[1]", "[{\"type\":\"set\",\"path\":\"a\",\"value\":1}]"), "[1]",
        errs(err(0, "set.target_not_object",
            "Cannot set at path 'a': target is array, expected object.")));
  }

  @Test
  void setRejectsProtoKeyPath() {
    assertOutcome(run("{}", "[{\"type\":\"set\",\"path\":\"__proto__\",\"value\":true}]"), "{}",
        errs(err(0, "set.path.proto_polluted",
            "Path segment '__proto__' is not allowed (prototype pollution).")));
  }

  @Test
  void setRejectsPathSegmentOver256Bytes() {
    String key = "é".repeat(129); // 258 UTF-8 bytes, 129 chars
    assertOutcome(run("{}", "[{\"type\":\"set\",\"path\":\"" + key + "\",\"value\":1}]"), "{}",
        errs(err(0, "set.path.segment_too_long",
            "Path segment of 258 bytes exceeds maximum of 256")));
  }

  @Test
  void setAcceptsPathSegmentOfExactly256Bytes() {
    String key = "k".repeat(256);
    assertOk(run("{}", "[{\"type\":\"set\",\"path\":\"" + key + "\",\"value\":1}]"),
        "{\"" + key + "\":1}");
  }

  // ---------------------------------------------------------------- merge

  @Test
  void mergeWithoutPathShallowMergesIntoRoot() {
    assertOk(run("{\"a\":1,\"n\":{\"x\":1}}",
            "[{\"type\":\"merge\",\"value\":{\"b\":2,\"n\":{\"y\":2}}}]"),
        "{\"a\":1,\"n\":{\"y\":2},\"b\":2}");
  }

  @Test
  void mergeWithEmptyStringOrEmptyArrayOrNullPathIsRootMerge() {
    for (String path : List.of("\"\"", "[]", "null")) {
      assertOk(run("{\"a\":1}",
              "[{\"type\":\"merge\",\"path\":" + path + ",\"value\":{\"b\":2}}]"),
          "{\"a\":1,\"b\":2}");
    }
  }

  @Test
  void rootMergeOnNonObjectIsSilentNoop() {
    assertOk(run("\"leaf\"", "[{\"type\":\"merge\",\"value\":{\"a\":1}}]"), "\"leaf\"");
  }

  @Test
  void mergeStringPathCreatesMissingFirstLevelObject() {
    assertOk(run("{}", "[{\"type\":\"merge\",\"path\":\"s1\",\"value\":{\"author\":\"alice\"}}]"),
        "{\"s1\":{\"author\":\"alice\"}}");
  }

  @Test
  void mergeStringPathEqualsSingleSegmentArray() {
    String a = Json.encode(run("{\"foo\":{\"y\":0}}",
        "[{\"type\":\"merge\",\"path\":\"foo\",\"value\":{\"x\":1}}]").newValue());
    String b = Json.encode(run("{\"foo\":{\"y\":0}}",
        "[{\"type\":\"merge\",\"path\":[\"foo\"],\"value\":{\"x\":1}}]").newValue());
    assertEquals("{\"foo\":{\"y\":0,\"x\":1}}", a);
    assertEquals(a, b);
  }

  @Test
  void mergeNestedPathCreatesIntermediates() {
    assertOk(run("{}", "[{\"type\":\"merge\",\"path\":[\"a\",\"b\",\"c\"],\"value\":{\"x\":1}}]"),
        "{\"a\":{\"b\":{\"c\":{\"x\":1}}}}");
  }

  @Test
  void mergeNestedPathReplacesNonObjectIntermediateAndLeaf() {
    assertOk(run("{\"sessions\":{\"abc\":\"garbage\"},\"l\":[1]}",
            "[{\"type\":\"merge\",\"path\":[\"l\",\"x\"],\"value\":{\"k\":1}},"
                + "{\"type\":\"merge\",\"path\":[\"sessions\",\"abc\"],\"value\":{\"author\":\"alice\"}}]"),
        "{\"sessions\":{\"abc\":{\"author\":\"alice\"}},\"l\":{\"x\":{\"k\":1}}}");
  }

  @Test
  void mergeNestedPathShallowlyOverwritesKeysAtTarget() {
    assertOk(run("{\"s\":{\"abc\":{\"author\":\"old\",\"topic\":\"kept\"}}}",
            "[{\"type\":\"merge\",\"path\":[\"s\",\"abc\"],\"value\":{\"author\":\"new\"}}]"),
        "{\"s\":{\"abc\":{\"author\":\"new\",\"topic\":\"kept\"}}}");
  }

  @Test
  void mergeWithPathOnNonObjectRootReplacesRootWithObject() {
    assertOk(run("\"leaf\"", "[{\"type\":\"merge\",\"path\":\"a\",\"value\":{\"x\":1}}]"),
        "{\"a\":{\"x\":1}}");
  }

  @Test
  void mergeDottedSegmentIsOneLiteralKey() {
    assertOk(run("{\"a\":{\"b\":{\"p\":true}}}",
            "[{\"type\":\"merge\",\"path\":[\"a.b\"],\"value\":{\"x\":1}}]"),
        "{\"a\":{\"b\":{\"p\":true}},\"a.b\":{\"x\":1}}");
  }

  @Test
  void mergeRejectsNonObjectValue() {
    assertOutcome(run("{\"a\":1}", "[{\"type\":\"merge\",\"path\":\"foo\",\"value\":\"nope\"}]"),
        "{\"a\":1}",
        errs(err(0, "merge.value.not_an_object", "Merge value must be a JSON object")));
  }

  @Test
  void mergeRejectsPathDeeperThan32Segments() {
    JsonArray path = new JsonArray();
    for (int i = 0; i < 33; i++) {
      path.add("k" + i);
    }
    assertOutcome(run("{}", "[{\"type\":\"merge\",\"path\":" + path.encode() + ",\"value\":{}}]"),
        "{}", errs(err(0, "merge.path.too_deep", "Path depth 33 exceeds maximum of 32")));
  }

  @Test
  void mergeAcceptsPathOfExactly32Segments() {
    JsonArray path = new JsonArray();
    for (int i = 0; i < 32; i++) {
      path.add("k");
    }
    UpdateOps.Outcome out =
        run("{}", "[{\"type\":\"merge\",\"path\":" + path.encode() + ",\"value\":{\"x\":1}}]");
    assertEquals("[]", out.errors().encode());
  }

  @Test
  void mergeRejectsEmptySegment() {
    assertOutcome(run("{}", "[{\"type\":\"merge\",\"path\":[\"a\",\"\"],\"value\":{\"x\":1}}]"), "{}",
        errs(err(0, "merge.path.empty_segment", "Path contains an empty segment")));
  }

  @Test
  void mergeRejectsSegmentOver256Bytes() {
    String big = "a".repeat(257);
    assertOutcome(run("{}", "[{\"type\":\"merge\",\"path\":[\"" + big + "\"],\"value\":{}}]"), "{}",
        errs(err(0, "merge.path.segment_too_long",
            "Path segment of 257 bytes exceeds maximum of 256")));
  }

  @Test
  void mergeRejectsProtoKeysInPath() {
    for (String sink : List.of("__proto__", "constructor", "prototype")) {
      assertOutcome(run("{}",
              "[{\"type\":\"merge\",\"path\":[\"ok\",\"" + sink + "\"],\"value\":{\"x\":1}}]"),
          "{}", errs(err(0, "merge.path.proto_polluted",
              "Path segment '" + sink + "' is not allowed (prototype pollution).")));
    }
  }

  @Test
  void mergeRejectsProtoKeysInValueTopLevel() {
    assertOutcome(run("{}",
            "[{\"type\":\"merge\",\"path\":\"foo\",\"value\":{\"__proto__\":{\"polluted\":true}}}]"),
        "{}", errs(err(0, "merge.value.proto_polluted",
            "Merge value top-level key \"__proto__\" is a prototype-pollution sink")));
  }

  @Test
  void mergeValueProtoCheckReportsFirstSinkInSortedKeyOrder() {
    assertOutcome(run("{}",
            "[{\"type\":\"merge\",\"value\":{\"prototype\":1,\"constructor\":2}}]"),
        "{}", errs(err(0, "merge.value.proto_polluted",
            "Merge value top-level key \"constructor\" is a prototype-pollution sink")));
  }

  @Test
  void mergeAllowsProtoKeysBelowTopLevelOfValue() {
    assertOk(run("{}", "[{\"type\":\"merge\",\"value\":{\"a\":{\"__proto__\":1}}}]"),
        "{\"a\":{\"__proto__\":1}}");
  }

  @Test
  void mergeRejectsValueWithMoreThan1024Keys() {
    JsonObject big = new JsonObject();
    for (int i = 0; i < 1025; i++) {
      big.put("k" + i, i);
    }
    assertOutcome(run("{}", "[{\"type\":\"merge\",\"value\":" + big.encode() + "}]"), "{}",
        errs(err(0, "merge.value.too_many_keys",
            "Merge value has 1025 top-level keys, exceeds maximum of 1024")));
  }

  @Test
  void mergeAcceptsValueWithExactly1024Keys() {
    JsonObject big = new JsonObject();
    for (int i = 0; i < 1024; i++) {
      big.put("k" + i, i);
    }
    UpdateOps.Outcome out = run("{}", "[{\"type\":\"merge\",\"value\":" + big.encode() + "}]");
    assertEquals("[]", out.errors().encode());
    assertEquals(1024, ((JsonObject) out.newValue()).size());
  }

  @Test
  void mergeRejectsValueDeeperThan16() {
    String v = "{}";
    for (int i = 0; i < 16; i++) {
      v = "{\"n\":" + v + "}"; // depth 17
    }
    assertOutcome(run("{}", "[{\"type\":\"merge\",\"path\":\"foo\",\"value\":" + v + "}]"), "{}",
        errs(err(0, "merge.value.too_deep",
            "Merge value JSON nesting depth 17 exceeds maximum of 16")));
  }

  @Test
  void mergeValueDepthCountsArraysAndAllowsExactly16() {
    String v = "[]";
    for (int i = 0; i < 15; i++) {
      v = "{\"n\":" + v + "}"; // depth 16
    }
    assertEquals("[]", run("{}", "[{\"type\":\"merge\",\"value\":" + v + "}]").errors().encode());
    String deeper = "{\"n\":" + v + "}";
    assertEquals("merge.value.too_deep",
        run("{}", "[{\"type\":\"merge\",\"value\":" + deeper + "}]").errors().getJsonObject(0)
            .getString("code"));
  }

  @Test
  void mergePathIsValidatedBeforeValue() {
    assertOutcome(run("{}", "[{\"type\":\"merge\",\"path\":[\"\"],\"value\":5}]"), "{}",
        errs(err(0, "merge.path.empty_segment", "Path contains an empty segment")));
  }

  // ---------------------------------------------------------------- increment / decrement

  @Test
  void incrementAddsToExistingInteger() {
    assertOk(run("{\"count\":2}", "[{\"type\":\"increment\",\"path\":\"count\",\"by\":3}]"),
        "{\"count\":5}");
  }

  @Test
  void incrementOnMissingKeySetsBy() {
    assertOk(run("{}", "[{\"type\":\"increment\",\"path\":\"missing\",\"by\":3}]"),
        "{\"missing\":3}");
  }

  @Test
  void incrementProducesLongResults() {
    UpdateOps.Outcome out = run("{\"a\":1}", "[{\"type\":\"increment\",\"path\":\"a\",\"by\":1},"
        + "{\"type\":\"increment\",\"path\":\"b\",\"by\":1}]");
    JsonObject v = (JsonObject) out.newValue();
    assertEquals(Long.class, v.getValue("a").getClass());
    assertEquals(Long.class, v.getValue("b").getClass());
  }

  @Test
  void incrementNegativeByDecreases() {
    assertOk(run("{\"c\":2}", "[{\"type\":\"increment\",\"path\":\"c\",\"by\":-5}]"), "{\"c\":-3}");
  }

  @Test
  void incrementOnFloatAddsAsFloat() {
    assertOk(run("{\"count\":1.5}", "[{\"type\":\"increment\",\"path\":\"count\",\"by\":2},"
        + "{\"type\":\"decrement\",\"path\":\"count\",\"by\":1}]"), "{\"count\":2.5}");
  }

  @Test
  void incrementOnWholeFloatStaysFloat() {
    assertOk(run("{\"c\":1.0}", "[{\"type\":\"increment\",\"path\":\"c\",\"by\":1}]"), "{\"c\":2.0}");
  }

  @Test
  void incrementOnNonNumberReportsNotNumber() {
    assertOutcome(run("{\"count\":2,\"bad\":\"value\"}",
            "[{\"type\":\"increment\",\"path\":\"count\",\"by\":3},"
                + "{\"type\":\"increment\",\"path\":\"bad\",\"by\":3},"
                + "{\"type\":\"increment\",\"path\":\"missing\",\"by\":3}]"),
        "{\"count\":5,\"bad\":\"value\",\"missing\":3}",
        errs(err(1, "increment.not_number", "Expected number at path 'bad', got string.")));
  }

  @Test
  void incrementOnNullFieldIsNotNumberNotMissing() {
    assertOutcome(run("{\"inc\":null,\"dec\":null}",
            "[{\"type\":\"increment\",\"path\":\"inc\",\"by\":1},"
                + "{\"type\":\"decrement\",\"path\":\"dec\",\"by\":1}]"),
        "{\"inc\":null,\"dec\":null}",
        errs(err(0, "increment.not_number", "Expected number at path 'inc', got null."),
            err(1, "decrement.not_number", "Expected number at path 'dec', got null.")));
  }

  @Test
  void incrementByZeroStillChecksType() {
    assertOutcome(run("{\"bad\":[1],\"count\":2}",
            "[{\"type\":\"increment\",\"path\":\"bad\",\"by\":0},"
                + "{\"type\":\"decrement\",\"path\":\"count\",\"by\":0}]"),
        "{\"bad\":[1],\"count\":2}",
        errs(err(0, "increment.not_number", "Expected number at path 'bad', got array.")));
  }

  @Test
  void incrementOnNonObjectRootReportsTargetNotObject() {
    assertOutcome(run("\"s\"", "[{\"type\":\"increment\",\"path\":\"a\",\"by\":1}]"), "\"s\"",
        errs(err(0, "increment.target_not_object",
            "Cannot increment at path 'a': target is string, expected object.")));
  }

  @Test
  void incrementEmptyPathTargetsRootNumber() {
    assertOk(run("2", "[{\"type\":\"increment\",\"path\":\"\",\"by\":3}]"), "5");
  }

  @Test
  void incrementEmptyPathOnNonNumberRootReportsNotNumberAtRoot() {
    assertOutcome(run("{\"a\":1}", "[{\"type\":\"increment\",\"path\":\"\",\"by\":3}]"), "{\"a\":1}",
        errs(err(0, "increment.not_number", "Expected number at path 'root', got object.")));
  }

  @Test
  void incrementEmptyPathOnMissingItemSetsRootToBy() {
    assertOk(run(StreamStorage.ABSENT, "[{\"type\":\"increment\",\"path\":\"\",\"by\":7}]"), "7");
  }

  @Test
  void incrementEmptyPathOnMissingItemAfterEffectiveOpSeesObject() {
    assertOutcome(run(StreamStorage.ABSENT, "[{\"type\":\"merge\",\"value\":{}},"
            + "{\"type\":\"increment\",\"path\":\"\",\"by\":7}]"), "{}",
        errs(err(1, "increment.not_number", "Expected number at path 'root', got object.")));
  }

  @Test
  void incrementEmptyPathOnMissingItemAfterFailedOpStillSetsBy() {
    assertOutcome(run(StreamStorage.ABSENT, "[{\"type\":\"set\",\"path\":\"__proto__\"},"
            + "{\"type\":\"increment\",\"path\":\"\",\"by\":7}]"), "7",
        errs(err(0, "set.path.proto_polluted",
            "Path segment '__proto__' is not allowed (prototype pollution).")));
  }

  @Test
  void incrementPastI64MaxPromotesToExactUnsigned() {
    UpdateOps.Outcome out = run("{\"c\":9223372036854775807}",
        "[{\"type\":\"increment\",\"path\":\"c\",\"by\":1}]");
    assertOk(out, "{\"c\":9223372036854775808}");
    assertEquals(new BigInteger("9223372036854775808"), ((JsonObject) out.newValue()).getValue("c"));
  }

  @Test
  void incrementPreservesLargeUnsignedPrecision() {
    assertOk(run("{\"inc\":9223372036854775817,\"dec\":9223372036854775817}",
            "[{\"type\":\"increment\",\"path\":\"inc\",\"by\":1},"
                + "{\"type\":\"decrement\",\"path\":\"dec\",\"by\":1}]"),
        "{\"inc\":9223372036854775818,\"dec\":9223372036854775816}");
  }

  @Test
  void incrementBackIntoSignedRangeYieldsLong() {
    UpdateOps.Outcome out = run("{\"c\":9223372036854775808}",
        "[{\"type\":\"increment\",\"path\":\"c\",\"by\":-9223372036854775808}]");
    assertOk(out, "{\"c\":0}");
    assertEquals(Long.class, ((JsonObject) out.newValue()).getValue("c").getClass());
  }

  @Test
  void incrementPastU64MaxIsNotNumber() {
    assertOutcome(run("{\"c\":18446744073709551615}",
            "[{\"type\":\"increment\",\"path\":\"c\",\"by\":1}]"),
        "{\"c\":18446744073709551615}",
        errs(err(0, "increment.not_number", "Expected number at path 'c', got number.")));
  }

  @Test
  void incrementBelowI64MinIsNotNumber() {
    assertOutcome(run("{\"c\":-9223372036854775808}",
            "[{\"type\":\"increment\",\"path\":\"c\",\"by\":-1}]"),
        "{\"c\":-9223372036854775808}",
        errs(err(0, "increment.not_number", "Expected number at path 'c', got number.")));
  }

  @Test
  void decrementBelowI64MinIsNotNumber() {
    assertOutcome(run("{\"c\":-9223372036854775807}",
            "[{\"type\":\"decrement\",\"path\":\"c\",\"by\":2}]"),
        "{\"c\":-9223372036854775807}",
        errs(err(0, "decrement.not_number", "Expected number at path 'c', got number.")));
  }

  @Test
  void decrementSubtractsFromExistingInteger() {
    assertOk(run("{\"count\":5}", "[{\"type\":\"decrement\",\"path\":\"count\",\"by\":3}]"),
        "{\"count\":2}");
  }

  @Test
  void decrementOnMissingKeySetsNegatedBy() {
    assertOk(run("{}", "[{\"type\":\"decrement\",\"path\":\"missing\",\"by\":3}]"),
        "{\"missing\":-3}");
  }

  @Test
  void decrementOnMissingKeyByI64MinSetsExactUnsigned() {
    assertOk(run("{}", "[{\"type\":\"decrement\",\"path\":\"c\",\"by\":-9223372036854775808}]"),
        "{\"c\":9223372036854775808}");
  }

  @Test
  void decrementOnNonNumberReportsNotNumber() {
    assertOutcome(run("{\"bad\":true}", "[{\"type\":\"decrement\",\"path\":\"bad\",\"by\":1}]"),
        "{\"bad\":true}",
        errs(err(0, "decrement.not_number", "Expected number at path 'bad', got boolean.")));
  }

  @Test
  void decrementOnNonObjectRootReportsTargetNotObject() {
    assertOutcome(run("null", "[{\"type\":\"decrement\",\"path\":\"a\",\"by\":1}]"), "null",
        errs(err(0, "decrement.target_not_object",
            "Cannot decrement at path 'a': target is null, expected object.")));
  }

  @Test
  void decrementEmptyPathTargetsRootNumberAndMissingItemGivesNegatedBy() {
    assertOk(run("5", "[{\"type\":\"decrement\",\"path\":\"\",\"by\":3}]"), "2");
    assertOk(run(StreamStorage.ABSENT, "[{\"type\":\"decrement\",\"path\":\"\",\"by\":3}]"), "-3");
  }

  @Test
  void decrementEmptyPathOnNonNumberRootReportsNotNumberAtRoot() {
    assertOutcome(run("\"x\"", "[{\"type\":\"decrement\",\"path\":\"\",\"by\":3}]"), "\"x\"",
        errs(err(0, "decrement.not_number", "Expected number at path 'root', got string.")));
  }

  @Test
  void numericOpsRejectProtoKeyPathsWithOpSpecificCode() {
    for (String op : List.of("increment", "decrement")) {
      assertOutcome(run("{}", "[{\"type\":\"" + op + "\",\"path\":\"constructor\",\"by\":1}]"), "{}",
          errs(err(0, op + ".path.proto_polluted",
              "Path segment 'constructor' is not allowed (prototype pollution).")));
    }
  }

  // ---------------------------------------------------------------- append

  @Test
  void appendPushesOntoArrayAsSingleElement() {
    assertOk(run("{\"events\":[{\"k\":\"start\"}]}",
            "[{\"type\":\"append\",\"path\":\"events\",\"value\":[\"nested\",\"array\"]}]"),
        "{\"events\":[{\"k\":\"start\"},[\"nested\",\"array\"]]}");
  }

  @Test
  void appendConcatenatesStrings() {
    assertOk(run("{\"t\":\"hello\"}", "[{\"type\":\"append\",\"path\":\"t\",\"value\":\" world\"}]"),
        "{\"t\":\"hello world\"}");
  }

  @Test
  void appendOnMissingKeyKeepsStringOrWrapsOtherValues() {
    assertOk(run("{}", "[{\"type\":\"append\",\"path\":\"t\",\"value\":\"hello\"},"
            + "{\"type\":\"append\",\"path\":\"e\",\"value\":{\"k\":1}}]"),
        "{\"t\":\"hello\",\"e\":[{\"k\":1}]}");
  }

  @Test
  void appendOnNullFieldInitializesByValueKind() {
    assertOk(run("{\"s\":null,\"a\":null}", "[{\"type\":\"append\",\"path\":\"s\",\"value\":\"c\"},"
            + "{\"type\":\"append\",\"path\":\"a\",\"value\":5}]"),
        "{\"s\":\"c\",\"a\":[5]}");
  }

  @Test
  void appendNonStringToStringReportsTypeMismatch() {
    assertOutcome(run("{\"t\":\"hello\"}",
            "[{\"type\":\"append\",\"path\":\"t\",\"value\":{\"not\":\"string\"}}]"),
        "{\"t\":\"hello\"}", errs(err(0, "append.type_mismatch",
            "Expected string append value at path 't', got object.")));
  }

  @Test
  void appendToObjectOrNumberOrBooleanReportsTypeMismatch() {
    assertOutcome(run("{\"o\":{},\"n\":1,\"b\":false}",
            "[{\"type\":\"append\",\"path\":\"o\",\"value\":\"x\"},"
                + "{\"type\":\"append\",\"path\":\"n\",\"value\":\"x\"},"
                + "{\"type\":\"append\",\"path\":\"b\",\"value\":\"x\"}]"),
        "{\"o\":{},\"n\":1,\"b\":false}",
        errs(err(0, "append.type_mismatch", "Cannot append at path 'o': target is object, "
                + "expected array, string, null, or missing field."),
            err(1, "append.type_mismatch", "Cannot append at path 'n': target is number, "
                + "expected array, string, null, or missing field."),
            err(2, "append.type_mismatch", "Cannot append at path 'b': target is boolean, "
                + "expected array, string, null, or missing field.")));
  }

  @Test
  void appendWithPathOnNonObjectRootReportsTargetNotObjectWithBracketedPath() {
    assertOutcome(run("[1,2,3]", "[{\"type\":\"append\",\"path\":[\"a\",\"b\"],\"value\":\"x\"},"
            + "{\"type\":\"append\",\"path\":\"c\",\"value\":\"x\"}]"),
        "[1,2,3]",
        errs(err(0, "append.target_not_object",
                "Cannot append at path '[a, b]': target is array, expected object."),
            err(1, "append.target_not_object",
                "Cannot append at path '[c]': target is array, expected object.")));
  }

  @Test
  void appendRootOnMissingItemKeepsStringOrWraps() {
    assertOk(run(StreamStorage.ABSENT, "[{\"type\":\"append\",\"path\":\"\",\"value\":\"hello\"}]"),
        "\"hello\"");
    assertOk(run(StreamStorage.ABSENT, "[{\"type\":\"append\",\"value\":{\"k\":1}}]"), "[{\"k\":1}]");
  }

  @Test
  void appendRootPushesOntoArrayAndConcatsString() {
    assertOk(run("[1]", "[{\"type\":\"append\",\"value\":2}]"), "[1,2]");
    assertOk(run("\"ab\"", "[{\"type\":\"append\",\"path\":[],\"value\":\"c\"}]"), "\"abc\"");
    assertOk(run("null", "[{\"type\":\"append\",\"value\":2}]"), "[2]");
  }

  @Test
  void appendRootOnExistingObjectReportsTypeMismatchAtRoot() {
    assertOutcome(run("{}", "[{\"type\":\"append\",\"value\":2}]"), "{}",
        errs(err(0, "append.type_mismatch", "Cannot append at path 'root': target is object, "
            + "expected array, string, null, or missing field.")));
  }

  @Test
  void appendNestedPathPushesOntoExistingArray() {
    assertOk(run("{\"e\":{\"buf\":[\"a\"]}}",
            "[{\"type\":\"append\",\"path\":[\"e\",\"buf\"],\"value\":\"b\"}]"),
        "{\"e\":{\"buf\":[\"a\",\"b\"]}}");
  }

  @Test
  void appendNestedPathCreatesIntermediatesAndAlwaysArrayLeaf() {
    assertOk(run("{\"x\":5}", "[{\"type\":\"append\",\"path\":[\"e\",\"buf\"],\"value\":\"a\"},"
            + "{\"type\":\"append\",\"path\":[\"x\",\"y\"],\"value\":1}]"),
        "{\"x\":{\"y\":[1]},\"e\":{\"buf\":[\"a\"]}}");
  }

  @Test
  void appendNestedPathObjectLeafReportsTypeMismatchWithLeafName() {
    assertOutcome(run("{\"e\":{\"buf\":{\"x\":\"y\"}}}",
            "[{\"type\":\"append\",\"path\":[\"e\",\"buf\"],\"value\":\"z\"}]"),
        "{\"e\":{\"buf\":{\"x\":\"y\"}}}",
        errs(err(0, "append.type_mismatch", "Cannot append at path 'buf': target is object, "
            + "expected array, string, null, or missing field.")));
  }

  @Test
  void appendDottedStringPathIsOneLiteralKey() {
    assertOk(run("{\"user.name\":[\"A\"],\"user\":{\"name\":[\"B\"]}}",
            "[{\"type\":\"append\",\"path\":\"user.name\",\"value\":\"C\"}]"),
        "{\"user.name\":[\"A\",\"C\"],\"user\":{\"name\":[\"B\"]}}");
  }

  @Test
  void appendRejectsProtoKeysAnywhereInPathBeforeCreatingAnything() {
    assertOutcome(run("{}", "[{\"type\":\"append\",\"path\":[\"a\",\"constructor\",\"b\"],\"value\":1}]"),
        "{}", errs(err(0, "append.path.proto_polluted",
            "Path segment 'constructor' is not allowed (prototype pollution).")));
  }

  @Test
  void appendPathLimitsUseAppendCodes() {
    JsonArray deep = new JsonArray();
    for (int i = 0; i < 33; i++) {
      deep.add("k");
    }
    assertOutcome(run("{}", "[{\"type\":\"append\",\"path\":" + deep.encode() + ",\"value\":1},"
            + "{\"type\":\"append\",\"path\":[\"a\",\"\"],\"value\":1},"
            + "{\"type\":\"append\",\"path\":\"" + "a".repeat(257) + "\",\"value\":1}]"),
        "{}",
        errs(err(0, "append.path.too_deep", "Path depth 33 exceeds maximum of 32"),
            err(1, "append.path.empty_segment", "Path contains an empty segment"),
            err(2, "append.path.segment_too_long",
                "Path segment of 257 bytes exceeds maximum of 256")));
  }

  // ---------------------------------------------------------------- remove

  @Test
  void removeDeletesTopLevelKey() {
    assertOk(run("{\"a\":1,\"b\":2}", "[{\"type\":\"remove\",\"path\":\"a\"}]"), "{\"b\":2}");
  }

  @Test
  void removeMissingKeyIsNoop() {
    assertOk(run("{\"a\":1}", "[{\"type\":\"remove\",\"path\":\"zz\"}]"), "{\"a\":1}");
  }

  @Test
  void removeEmptyPathSetsWholeValueToNull() {
    assertOk(run("{\"\":\"x\",\"keep\":true}", "[{\"type\":\"remove\",\"path\":\"\"}]"), "null");
  }

  @Test
  void removeOnNonObjectRootReportsTargetNotObject() {
    assertOutcome(run("3", "[{\"type\":\"remove\",\"path\":\"a\"}]"), "3",
        errs(err(0, "remove.target_not_object",
            "Cannot remove at path 'a': target is number, expected object.")));
  }

  @Test
  void removeRejectsProtoKeyPath() {
    assertOutcome(run("{}", "[{\"type\":\"remove\",\"path\":\"prototype\"}]"), "{}",
        errs(err(0, "remove.path.proto_polluted",
            "Path segment 'prototype' is not allowed (prototype pollution).")));
  }

  // ---------------------------------------------------------------- missing item, ordering, copies

  @Test
  void missingItemStartsFromEmptyObject() {
    assertOk(run(StreamStorage.ABSENT, "[{\"type\":\"set\",\"path\":\"a\",\"value\":1}]"), "{\"a\":1}");
  }

  @Test
  void missingItemWithNoOpsIsEmptyObject() {
    assertOk(run(StreamStorage.ABSENT, "[]"), "{}");
  }

  @Test
  void laterOpsSeeEarlierResults() {
    assertOk(run("{\"count\":10}", "[{\"type\":\"increment\",\"path\":\"count\",\"by\":5},"
            + "{\"type\":\"decrement\",\"path\":\"count\",\"by\":3},"
            + "{\"type\":\"set\",\"path\":\"\",\"value\":\"s\"},"
            + "{\"type\":\"append\",\"value\":\"!\"}]"),
        "\"s!\"");
  }

  @Test
  void failedOpsAreSkippedAndLaterOpsStillRunWithOriginalIndexes() {
    assertOutcome(run("{\"bad\":\"value\",\"events\":{}}",
            "[{\"type\":\"increment\",\"path\":\"bad\",\"by\":1},"
                + "{\"type\":\"set\",\"path\":\"__proto__\",\"value\":true},"
                + "{\"type\":\"append\",\"path\":\"events\",\"value\":\"chunk\"},"
                + "{\"type\":\"set\",\"path\":\"ok\",\"value\":true}]"),
        "{\"bad\":\"value\",\"events\":{},\"ok\":true}",
        errs(err(0, "increment.not_number", "Expected number at path 'bad', got string."),
            err(1, "set.path.proto_polluted",
                "Path segment '__proto__' is not allowed (prototype pollution)."),
            err(2, "append.type_mismatch", "Cannot append at path 'events': target is object, "
                + "expected array, string, null, or missing field.")));
  }

  @Test
  void applyNeverMutatesCurrent() {
    JsonObject current = new JsonObject("{\"a\":{\"b\":[1]},\"s\":\"x\",\"n\":1}");
    String before = current.encode();
    UpdateOps.Outcome out = run(current,
        "[{\"type\":\"append\",\"path\":[\"a\",\"b\"],\"value\":2},"
            + "{\"type\":\"merge\",\"path\":\"a\",\"value\":{\"c\":1}},"
            + "{\"type\":\"increment\",\"path\":\"n\",\"by\":1},"
            + "{\"type\":\"remove\",\"path\":\"s\"}]");
    assertEquals(before, current.encode());
    assertEquals("{\"a\":{\"b\":[1,2],\"c\":1},\"n\":2}", Json.encode(out.newValue()));
  }

  @Test
  void applyCanBeRepeatedAndResultsDoNotShareOpValues() {
    UpdateOps ops = UpdateOps.parse(json("[{\"type\":\"set\",\"path\":\"l\",\"value\":[]},"
        + "{\"type\":\"append\",\"path\":\"l\",\"value\":1}]"));
    JsonObject first = (JsonObject) ops.apply(StreamStorage.ABSENT).newValue();
    JsonObject second = (JsonObject) ops.apply(StreamStorage.ABSENT).newValue();
    assertEquals("{\"l\":[1]}", first.encode());
    assertEquals("{\"l\":[1]}", second.encode());
  }

  @Test
  void errorEntriesHaveFieldsInIiiOrder() {
    JsonObject e = run("1", "[{\"type\":\"remove\",\"path\":\"a\"}]").errors().getJsonObject(0);
    assertEquals(List.of("op_index", "code", "message", "doc_url"), new ArrayList<>(e.fieldNames()));
  }

  @Test
  void rawJavaMapsAndListsAreAcceptedAsCurrent() {
    java.util.Map<String, Object> raw = new java.util.LinkedHashMap<>();
    raw.put("l", new ArrayList<>(List.of(1)));
    UpdateOps.Outcome out = run(raw, "[{\"type\":\"append\",\"path\":\"l\",\"value\":2}]");
    assertOk(out, "{\"l\":[1,2]}");
    assertEquals(List.of(1), raw.get("l"));
  }

  // ---------------------------------------------------------------- parse failures (whole call)

  @Test
  void parseRejectsNonArrayOps() {
    assertBadInput("{\"type\":\"set\"}", "invalid type: map, expected a sequence");
    assertBadInput("null", "invalid type: null, expected a sequence");
    assertBadInput("\"x\"", "invalid type: string \"x\", expected a sequence");
  }

  @Test
  void parseRejectsAbsentOpsAsMissingField() {
    FunctionException e = assertThrows(FunctionException.class,
        () -> UpdateOps.parse(StreamStorage.ABSENT));
    assertEquals("Failed to deserialize input for stream::update: missing field `ops`", e.getMessage());
  }

  @Test
  void parseRejectsUnknownOpType() {
    assertBadInput("[{\"type\":\"foo\",\"path\":\"a\"}]", "unknown variant `foo`, expected one of "
        + "`set`, `merge`, `increment`, `decrement`, `append`, `remove`");
  }

  @Test
  void parseOpTypeIsCaseSensitive() {
    assertBadInput("[{\"type\":\"Set\",\"path\":\"a\"}]", "unknown variant `Set`, expected one of "
        + "`set`, `merge`, `increment`, `decrement`, `append`, `remove`");
  }

  @Test
  void parseRejectsMissingOrNonStringType() {
    assertBadInput("[{\"path\":\"a\"}]", "missing field `type`");
    assertBadInput("[{\"type\":1,\"path\":\"a\"}]", "invalid type: integer `1`, expected variant identifier");
  }

  @Test
  void parseRejectsNonObjectOp() {
    assertBadInput("[\"set\"]", "invalid type: string \"set\", expected internally tagged enum UpdateOp");
    assertBadInput("[null]", "invalid type: null, expected internally tagged enum UpdateOp");
    assertBadInput("[1.5]", "invalid type: floating point `1.5`, expected internally tagged enum UpdateOp");
  }

  @Test
  void parseRejectsMissingPath() {
    for (String op : List.of("set", "remove")) {
      assertBadInput("[{\"type\":\"" + op + "\"}]", "missing field `path`");
    }
    assertBadInput("[{\"type\":\"increment\",\"by\":1}]", "missing field `path`");
    assertBadInput("[{\"type\":\"decrement\"}]", "missing field `path`");
  }

  @Test
  void parseRejectsMissingBy() {
    assertBadInput("[{\"type\":\"increment\",\"path\":\"a\"}]", "missing field `by`");
  }

  @Test
  void parseRejectsMissingValueForMergeAndAppendButNotSet() {
    assertBadInput("[{\"type\":\"merge\",\"path\":\"a\"}]", "missing field `value`");
    assertBadInput("[{\"type\":\"append\"}]", "missing field `value`");
    UpdateOps.parse(json("[{\"type\":\"set\",\"path\":\"a\"}]"));
  }

  @Test
  void parseRejectsNonIntegerBy() {
    assertBadInput("[{\"type\":\"increment\",\"path\":\"a\",\"by\":1.5}]",
        "invalid type: floating point `1.5`, expected i64");
    assertBadInput("[{\"type\":\"increment\",\"path\":\"a\",\"by\":2.0}]",
        "invalid type: floating point `2.0`, expected i64");
    assertBadInput("[{\"type\":\"decrement\",\"path\":\"a\",\"by\":\"1\"}]",
        "invalid type: string \"1\", expected i64");
    assertBadInput("[{\"type\":\"decrement\",\"path\":\"a\",\"by\":null}]",
        "invalid type: null, expected i64");
  }

  @Test
  void parseRejectsByOutsideI64() {
    assertBadInput("[{\"type\":\"increment\",\"path\":\"a\",\"by\":9223372036854775808}]",
        "invalid value: integer `9223372036854775808`, expected i64");
  }

  @Test
  void parseRejectsNonStringPathForStringPathOps() {
    assertBadInput("[{\"type\":\"set\",\"path\":[\"a\"],\"value\":1}]",
        "invalid type: sequence, expected a string");
    assertBadInput("[{\"type\":\"remove\",\"path\":null}]", "invalid type: null, expected a string");
    assertBadInput("[{\"type\":\"increment\",\"path\":5,\"by\":1}]",
        "invalid type: integer `5`, expected a string");
  }

  @Test
  void parseRejectsBadMergeOrAppendPath() {
    assertBadInput("[{\"type\":\"merge\",\"path\":[\"a\",1],\"value\":{}}]",
        "data did not match any variant of untagged enum MergePath");
    assertBadInput("[{\"type\":\"append\",\"path\":{},\"value\":1}]",
        "data did not match any variant of untagged enum MergePath");
  }

  @Test
  void parseReportsFieldErrorsInInputKeyOrderBeforeMissingFields() {
    assertBadInput("[{\"type\":\"increment\",\"by\":true}]",
        "invalid type: boolean `true`, expected i64");
  }

  @Test
  void parseIgnoresUnknownFields() {
    assertOk(run("{}", "[{\"type\":\"set\",\"path\":\"a\",\"value\":1,\"extra\":{\"x\":1}}]"),
        "{\"a\":1}");
  }

  @Test
  void parseFailureIsAllOrNothing() {
    assertBadInput("[{\"type\":\"set\",\"path\":\"a\",\"value\":1},{\"type\":\"increment\",\"path\":\"a\"}]",
        "missing field `by`");
  }

  @Test
  void parseReportsFirstBadOpInArrayOrder() {
    assertBadInput("[{\"type\":\"set\",\"path\":\"a\"},{\"type\":\"nope\"},{\"type\":\"remove\"}]",
        "unknown variant `nope`, expected one of "
            + "`set`, `merge`, `increment`, `decrement`, `append`, `remove`");
  }

  @Test
  void parseAcceptsSequenceFormOpsLikeSerde() {
    assertOk(run("{}", "[[\"set\",\"a\",1],[\"increment\",\"n\",2],[\"merge\",\"m\",{\"x\":1}]]"),
        "{\"a\":1,\"n\":2,\"m\":{\"x\":1}}");
    assertBadInput("[[\"set\",\"a\"]]",
        "invalid length 1, expected struct variant UpdateOp::Set with 2 elements");
    assertBadInput("[[\"remove\",\"a\",1]]", "invalid length 2, expected 1 element in sequence");
    assertBadInput("[[]]", "missing field `type`");
  }

  @Test
  void parseFailureIsDeserializationErrorWith400() {
    FunctionException e = assertThrows(FunctionException.class, () -> UpdateOps.parse(json("5")));
    assertEquals(400, e.status());
    assertEquals("{\"code\":\"deserialization_error\",\"message\":"
        + "\"Failed to deserialize input for stream::update: invalid type: integer `5`, "
        + "expected a sequence\"}", e.toJson().encode());
  }

  @Test
  void ryuFloatFormattingMatchesSerdeJson() {
    assertEquals("1.5", UpdateOpParser.ryu(1.5));
    assertEquals("2.0", UpdateOpParser.ryu(2.0));
    assertEquals("1e20", UpdateOpParser.ryu(1e20));
    assertEquals("1.25e-7", UpdateOpParser.ryu(1.25e-7));
    assertEquals("0.001", UpdateOpParser.ryu(0.001));
    assertEquals("-1000000000000000.0", UpdateOpParser.ryu(-1e15));
    assertEquals("1e16", UpdateOpParser.ryu(1e16));
  }
}
