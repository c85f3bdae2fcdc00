from tousu.flows.intake.decoding import decode_export


def test_gbk_file_decodes_as_gbk():
    data = "通话编号,客户姓名\nC1,张伟\n".encode("gbk")
    decoded = decode_export(data, "gbk")
    assert decoded.text == "通话编号,客户姓名\nC1,张伟\n"
    assert decoded.encoding == "gbk" and decoded.bad_lines == [] and decoded.note is None


def test_gbk_export_resaved_as_utf8_is_read_as_utf8_with_a_note():
    data = "通话编号,客户姓名\nC1,张伟\n".encode()
    decoded = decode_export(data, "gbk")
    assert decoded.text.splitlines()[1] == "C1,张伟"
    assert decoded.encoding == "utf-8"
    assert "expected gbk but the file is UTF-8" in decoded.note


def test_utf8_bom_is_dropped():
    decoded = decode_export("\ufeffa,b\n1,中\n".encode(), "utf-8")
    assert decoded.text == "a,b\n1,中\n"


def test_lines_in_another_encoding_are_marked_and_keep_their_place():
    data = "a,b\n1,好\n".encode() + "2,坏行\n".encode("gbk") + "3,好\n".encode()
    decoded = decode_export(data, "utf-8")
    assert decoded.bad_lines == [2]
    lines = decoded.text.split("\n")
    assert lines[1] == "1,好" and lines[3] == "3,好"
    assert "\ufffd" in lines[2]
