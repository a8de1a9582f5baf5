import java.lang.reflect.Field;
import com.thoughtworks.xstream.XStream;
import com.thoughtworks.xstream.security.AnyTypePermission;

/*
 * tests/jmeter/TallyJMeter.java: runs Debian's JMeter 2.13 as
 * `jmeter ARGS...` does, for tests/cli/t_jmeter.sh.  Debian pairs JMeter
 * 2.13 with XStream 1.4.20, whose types are denied by default since
 * 1.4.18, so `jmeter -n -t plan.jmx` fails with ForbiddenClassException:
 * org.apache.jmeter.save.ScriptWrapper.  This allows JMeter's own
 * XStream instances every type (its plans are trusted test input), then
 * starts JMeter unchanged.
 */
public class TallyJMeter {
	public static void main(String[] args) throws Exception {
		String home = System.getProperty("jmeter.home", "/usr/share/jmeter");
		org.apache.jmeter.util.JMeterUtils.setJMeterHome(home);
		org.apache.jmeter.util.JMeterUtils.loadJMeterProperties(home + "/bin/jmeter.properties");
		Class<?> ss = Class.forName("org.apache.jmeter.save.SaveService");
		for (Field f : ss.getDeclaredFields()) {
			if (XStream.class.isAssignableFrom(f.getType())) {
				f.setAccessible(true);
				((XStream) f.get(null)).addPermission(AnyTypePermission.ANY);
			}
		}
		new org.apache.jmeter.JMeter().start(args);
	}
}
